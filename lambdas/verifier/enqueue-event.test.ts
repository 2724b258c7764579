import fc from 'fast-check';
import { EnqueueFailedError, PayloadTooLargeError } from '../shared/errors';
import { decodeBody, type QueuedEventV2, SQS_MAX_MESSAGE_BYTES } from '../shared/queued-event';
import { enqueueEvent, type MessageSender, queuedMessageBody, type VerifiedDelivery } from './enqueue-event';

// What the SQS emulator accepts (real SQS additionally accepts #x10000-#x10FFFF).
const EMULATOR_SAFE = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$/;

function delivery(raw: Buffer): VerifiedDelivery {
  return {
    svixId: 'msg_2abc',
    svixTimestamp: 1_717_000_000,
    receivedAt: '2024-05-29T16:26:40.000Z',
    raw,
    text: raw.toString('utf8'),
    eventType: 'user.updated',
  };
}

describe('queuedMessageBody (QueuedEvent v2)', () => {
  it('carries the verified text as it was sent: spacing, key order and escapes included', () => {
    const text = '{ "type" : "user.updated",\n  "data": {"first_name":"Zo\\u00eb 🚀","id":"user_1"} }';
    const message = JSON.parse(queuedMessageBody(delivery(Buffer.from(text)))) as QueuedEventV2;
    expect(message).toEqual({
      version: 2,
      svixId: 'msg_2abc',
      svixTimestamp: 1_717_000_000,
      receivedAt: '2024-05-29T16:26:40.000Z',
      body: text,
      bodyEncoding: 'utf8',
    });
  });

  it('gives back exactly the verified bytes, valid UTF-8 or not, using only characters SQS accepts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }).map((text) => Buffer.from(text)), fc.uint8Array().map(Buffer.from)), (raw) => {
        const wire = queuedMessageBody(delivery(raw));
        expect(wire).toMatch(EMULATOR_SAFE);
        expect(decodeBody(JSON.parse(wire) as QueuedEventV2).equals(raw)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('sends bytes that are not UTF-8 as base64', () => {
    const raw = Buffer.concat([Buffer.from('{"type":"user.updated","data":{"n":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    expect(JSON.parse(queuedMessageBody(delivery(raw)))).toMatchObject({ body: raw.toString('base64'), bodyEncoding: 'base64' });
  });

  it('does not depend on how deep the body nests (the event is never serialised again)', () => {
    const deep = `{"type":"user.updated","data":{"m":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    expect(JSON.parse(queuedMessageBody(delivery(Buffer.from(deep)))).body).toBe(deep);
  });
});

describe('enqueueEvent', () => {
  it('hands the sender the v2 body with the svix id and event type as attributes', async () => {
    const sent: unknown[] = [];
    const raw = Buffer.from('{"type":"user.updated","data":{}}');
    await enqueueEvent({ sendMessage: async (message) => (sent.push(message), { messageId: 'm-1' }) }, 'https://sqs.example/q', delivery(raw));
    expect(sent).toEqual([
      { queueUrl: 'https://sqs.example/q', body: queuedMessageBody(delivery(raw)), attributes: { svixId: 'msg_2abc', eventType: 'user.updated' } },
    ]);
  });

  it("turns a failed send into EnqueueFailedError (503) naming the failure's name and message", async () => {
    const refusing: MessageSender = {
      sendMessage: () => Promise.reject(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' })),
    };
    const failure = enqueueEvent(refusing, 'https://sqs.example/q', delivery(Buffer.from('{}')));
    await expect(failure).rejects.toBeInstanceOf(EnqueueFailedError);
    await expect(failure).rejects.toThrow('SQS did not accept the event (AccessDenied: Access to the resource is denied.)');
  });

  it('refuses (413) an event whose escaped message SQS could never accept, without sending it', async () => {
    // 100,000 emoji: 400 KB of UTF-8, 1.2 MB once escaped for SQS (12 characters each).
    const raw = Buffer.from(`{"type":"user.updated","data":{"bio":"${'🚀'.repeat(100_000)}"}}`);
    const sent: unknown[] = [];
    const sender: MessageSender = {
      sendMessage: async (message) => {
        sent.push(message);
        return { messageId: 'm-1' };
      },
    };
    const size = Buffer.byteLength(queuedMessageBody(delivery(raw))) + 'svixIdStringmsg_2abceventTypeStringuser.updated'.length;
    expect(size).toBeGreaterThan(SQS_MAX_MESSAGE_BYTES);
    await expect(enqueueEvent(sender, 'https://sqs.example/q', delivery(raw))).rejects.toThrow(
      new PayloadTooLargeError(`the event makes a queue message of ${size} bytes; SQS accepts at most ${SQS_MAX_MESSAGE_BYTES} (lower maxBodyBytes)`),
    );
    expect(sent).toEqual([]);
  });
});
