import { MalformedMessageError } from '../shared/errors';
import { sampleEvent } from '../shared/sample-events';
import { decodeQueuedEvent, identifiersOf } from './decode-queued-event';

const valid = {
  version: 1,
  svixId: 'msg_2ZdwLx',
  svixTimestamp: 1_717_000_000,
  receivedAt: '2024-05-29T16:26:40.000Z',
  event: sampleEvent('user.created'),
};

describe('decodeQueuedEvent', () => {
  it('returns a QueuedEvent v1', () => {
    expect(decodeQueuedEvent(JSON.stringify(valid))).toEqual(valid);
  });

  it.each([
    ['not JSON', '{"version":1, ada@example.com', 'body is not valid JSON'],
    ['JSON but not an object', '[1,2]', 'not a JSON object'],
    ['another version', JSON.stringify({ ...valid, version: 2 }), 'version 1'],
    ['no svix id', JSON.stringify({ ...valid, svixId: '' }), 'svixId'],
    ['no event', JSON.stringify({ ...valid, event: null }), 'event is missing'],
    ['an event without a type', JSON.stringify({ ...valid, event: { ...valid.event, type: 7 } }), 'event.type'],
  ])('rejects a body that is %s, without quoting it', (_case, body, message) => {
    expect(() => decodeQueuedEvent(body)).toThrow(MalformedMessageError);
    expect(() => decodeQueuedEvent(body)).toThrow(message);
    expect(() => decodeQueuedEvent(body)).toThrow(/^(?!.*ada@example)/);
  });
});

describe('identifiersOf', () => {
  it('finds what it can in a body that did not decode', () => {
    expect(identifiersOf(JSON.stringify({ ...valid, version: 2 }))).toEqual({ svixId: 'msg_2ZdwLx', eventType: 'user.created' });
    expect(identifiersOf('nope')).toEqual({});
  });
});
