import type { SQSRecord } from 'aws-lambda';
import { MalformedMessageError } from '../shared/errors';
import { sampleEvent } from '../shared/sample-events';
import { queuedMessageBody } from '../verifier/enqueue-event';
import { decodeQueuedEvent, identifiersOf } from './decode-queued-event';

const event = sampleEvent('user.created');
const envelope = { svixId: 'msg_2ZdwLx', svixTimestamp: 1_717_000_000, receivedAt: '2024-05-29T16:26:40.000Z' };
const v1 = { version: 1, ...envelope, event };

/** What the verifier queues for these bytes. */
function v2Of(raw: Buffer | string): string {
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
  return queuedMessageBody({ ...envelope, raw: bytes, text: bytes.toString('utf8'), eventType: 'user.created' });
}

describe('decodeQueuedEvent', () => {
  it('reads what the verifier queues (v2): the event parsed from the verified text', () => {
    expect(decodeQueuedEvent(v2Of(JSON.stringify(event)))).toEqual({ ...envelope, event });
  });

  it('reads a v2 body sent as base64 (bytes that are not UTF-8) as the verifier parsed it', () => {
    const raw = Buffer.concat([Buffer.from('{"type":"user.updated","data":{"id":"user_1","n":"'), Buffer.from([0xff]), Buffer.from('"}}')]);
    expect(JSON.parse(v2Of(raw))).toMatchObject({ bodyEncoding: 'base64' });
    expect(decodeQueuedEvent(v2Of(raw)).event).toEqual({ type: 'user.updated', data: { id: 'user_1', n: '\uFFFD' } });
  });

  it('still reads v1, which verifiers queued before v2 and which may wait in the DLQ for 14 days', () => {
    expect(decodeQueuedEvent(JSON.stringify(v1))).toEqual({ ...envelope, event });
  });

  it.each([
    ['not JSON', '{"version":1, ada@example.com', 'body is not valid JSON'],
    ['JSON but not an object', '[1,2]', 'not a JSON object'],
    ['another version', JSON.stringify({ ...v1, version: 3 }), 'version 1 or 2'],
    ['no svix id', JSON.stringify({ ...v1, svixId: '' }), 'svixId'],
    ['no event', JSON.stringify({ ...v1, event: null }), 'event is missing'],
    ['an event without a type', JSON.stringify({ ...v1, event: { ...event, type: 7 } }), 'event.type'],
    [
      'a v1 event nested deeper than the bound',
      `{"version":1,"svixId":"msg_1","svixTimestamp":1,"receivedAt":"x","event":{"type":"user.updated","data":{"m":${'['.repeat(127)}${']'.repeat(127)},"e":"ada@example.com"}}}`,
      'event nests objects and arrays deeper than 128 levels',
    ],
    ['a v2 message without a body', JSON.stringify({ version: 2, ...envelope, bodyEncoding: 'utf8' }), 'body is missing'],
    ['a v2 message of another encoding', JSON.stringify({ version: 2, ...envelope, body: '{}', bodyEncoding: 'hex' }), 'bodyEncoding'],
    ['a v2 body that is not JSON', v2Of('ada@example.com'), 'queued webhook body is not valid JSON'],
    [
      'a v2 body nested deeper than the bound',
      v2Of(`{"type":"user.updated","data":{"m":${'['.repeat(4_200)}${']'.repeat(4_200)},"e":"ada@example.com"}}`),
      'queued webhook body nests objects and arrays deeper than 128 levels',
    ],
  ])('rejects a body that is %s, without quoting it', (_case, body, message) => {
    expect(() => decodeQueuedEvent(body)).toThrow(MalformedMessageError);
    expect(() => decodeQueuedEvent(body)).toThrow(message);
    expect(() => decodeQueuedEvent(body)).toThrow(/^(?!.*ada@example)/);
  });
});

describe('identifiersOf', () => {
  const record = (body: string, attributes: Record<string, string> = {}): Pick<SQSRecord, 'body' | 'messageAttributes'> => ({
    body,
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] }]),
    ),
  });

  it('finds what it can in a body that did not decode', () => {
    expect(identifiersOf(record(JSON.stringify({ ...v1, version: 3 })))).toEqual({ svixId: 'msg_2ZdwLx', eventType: 'user.created' });
    expect(identifiersOf(record('nope'))).toEqual({});
  });

  it("falls back on the verifier's message attributes (a v2 body holds the type only in its text)", () => {
    expect(identifiersOf(record(v2Of('not json'), { svixId: 'msg_attr', eventType: 'user.updated' }))).toEqual({
      svixId: 'msg_2ZdwLx',
      eventType: 'user.updated',
    });
    expect(identifiersOf(record('nope', { svixId: 'msg_attr', eventType: 'user.updated' }))).toEqual({
      svixId: 'msg_attr',
      eventType: 'user.updated',
    });
  });
});
