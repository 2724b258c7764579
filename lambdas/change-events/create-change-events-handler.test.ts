import type { DynamoDBRecord } from 'aws-lambda';
import { streamEvent, streamRecord } from '../../test/support/stream-records';
import { worstCaseCallMs } from '../shared/sdk-client-options';
import { keys } from '../shared/table-schema';
import { CHANGE_PUBLISHER_DEFAULTS } from './change-events-config';
import type { ChangeEvent } from './change-event';
import { type ChangeEventPublisher, createChangeEventsHandler, PUT_EVENTS_LIMITS, type PublishOutcome } from './create-change-events-handler';

/* The batch around the transform: order, puts within PutEvents' limits, and where a failing batch stops. */

const T = 1_717_000_000_000;

function userRecord(index: number, sequenceNumber: string, padding = 0): DynamoDBRecord {
  const id = `user_2u${index}`;
  return streamRecord({
    eventName: 'INSERT',
    newImage: { ...keys.user(id), type: 'user', id, firstName: 'x'.repeat(padding), version: T + index, lastEventId: `msg_${index}` },
    sequenceNumber,
  });
}

/** A record that gives no event: a lastSeenAt raise on a partial user. */
function quietRecord(sequenceNumber: string): DynamoDBRecord {
  const stub = { ...keys.user('user_2q'), type: 'user', id: 'user_2q' };
  return streamRecord({ eventName: 'MODIFY', oldImage: stub, newImage: { ...stub, lastSeenAt: '2024-06-01T00:00:00.000Z' }, sequenceNumber });
}

function recordingPublisher(answer: (events: readonly ChangeEvent[], call: number) => PublishOutcome | Error = () => ({})) {
  const puts: string[][] = [];
  const publish: ChangeEventPublisher = async (events) => {
    puts.push(events.map(({ detail }) => detail.id));
    const outcome = answer(events, puts.length);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { publish, puts };
}

function handlerWith(publish: ChangeEventPublisher) {
  const published: string[] = [];
  const failed: string[] = [];
  const errors: unknown[] = [];
  const handler = createChangeEventsHandler({
    publish,
    logger: { error: (...args: unknown[]) => void errors.push(args), warn: () => undefined },
    onPublished: (events) => published.push(...events.map(({ detail }) => detail.id)),
    onRecordFailed: (record) => failed.push(record.dynamodb!.SequenceNumber!),
  });
  return { handler, published, failed, errors };
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `user_2u${from + index}`);

it('puts the events of a batch in stream order, 10 at a time, and skips records that give none', async () => {
  const { publish, puts } = recordingPublisher();
  const { handler, published } = handlerWith(publish);
  const records = [quietRecord('1'), ...Array.from({ length: 23 }, (_, index) => userRecord(index, String(index + 2)))];

  await expect(handler(streamEvent(records))).resolves.toEqual({ batchItemFailures: [] });

  expect(puts).toEqual([ids(0, 10), ids(10, 20), ids(20, 23)]);
  expect(published).toEqual(ids(0, 23));
});

it('keeps each put under the PutEvents size limit', async () => {
  const { publish, puts } = recordingPublisher();
  const { handler } = handlerWith(publish);
  // About 60 KB each: four fit in one put, not five.
  const records = Array.from({ length: 6 }, (_, index) => userRecord(index, String(index + 1), 60_000));
  await handler(streamEvent(records));
  expect(puts.map((put) => put.length)).toEqual([4, 2]);
  expect(4 * 60_000).toBeLessThan(PUT_EVENTS_LIMITS.bytes);
});

it('stops at the first event the bus refuses and reports its record; the records before it are done', async () => {
  const { publish, puts } = recordingPublisher((_events, call) => (call === 2 ? { failedFrom: 3, reason: 'ThrottlingException' } : {}));
  const { handler, published, failed, errors } = handlerWith(publish);
  const records = Array.from({ length: 25 }, (_, index) => userRecord(index, String(100 + index)));

  // Entry 3 of the second put is the event of record 13.
  await expect(handler(streamEvent(records))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '113' }] });
  expect(puts).toHaveLength(2);
  expect(published).toEqual(ids(0, 13));
  expect(failed).toEqual(['113']);
  expect(JSON.stringify(errors)).toContain('ThrottlingException');
});

it('a put that fails as a whole fails from its first record', async () => {
  const { publish } = recordingPublisher(() => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
  const { handler, published } = handlerWith(publish);
  await expect(handler(streamEvent([quietRecord('1'), userRecord(0, '2')]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  expect(published).toEqual([]);
});

it('a record that cannot be read still lets the records before it out, then stops there', async () => {
  const { publish, puts } = recordingPublisher();
  const { handler, failed } = handlerWith(publish);
  const unreadable: DynamoDBRecord = { eventID: 'bad', eventName: 'INSERT', dynamodb: { SequenceNumber: '3', StreamViewType: 'KEYS_ONLY' } };
  await expect(handler(streamEvent([userRecord(0, '1'), userRecord(1, '2'), unreadable, userRecord(2, '4')]))).resolves.toEqual({
    batchItemFailures: [{ itemIdentifier: '3' }],
  });
  expect(puts).toEqual([ids(0, 2)]);
  expect(failed).toEqual(['3']);
});

it('an empty batch puts nothing', async () => {
  const { publish, puts } = recordingPublisher();
  await expect(handlerWith(publish).handler(streamEvent([]))).resolves.toEqual({ batchItemFailures: [] });
  expect(puts).toEqual([]);
});

it('starts no put it could not finish in the invocation: it stops at that put\'s first record, which is retried', async () => {
  const { publish, puts } = recordingPublisher();
  let left = 30_000;
  const failed: string[] = [];
  const errors: unknown[] = [];
  const handler = createChangeEventsHandler({
    publish: async (events) => {
      // Each put takes 9 s of the invocation.
      left -= 9_000;
      return publish(events);
    },
    logger: { error: (...args: unknown[]) => void errors.push(args), warn: () => undefined },
    onRecordFailed: (record) => failed.push(record.dynamodb!.SequenceNumber!),
    remainingTimeMs: () => left,
    reserveMs: 13_000,
  });
  const records = Array.from({ length: 35 }, (_, index) => userRecord(index, String(100 + index)));

  // 30 s, 21 s left: two puts; 12 s left is under the reserve, so the third (records 20-29) waits.
  await expect(handler(streamEvent(records))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '120' }] });
  expect(puts).toEqual([ids(0, 10), ids(10, 20)]);
  expect(failed).toEqual(['120']);
  expect(JSON.stringify(errors)).toContain('12000 ms left in the invocation');
});

it("the stack's reserve leaves room: a put's worst case fits the function's timeout, with time for puts before it", () => {
  const { eventBridgeTimeouts, publishReserveMs, timeoutSeconds } = CHANGE_PUBLISHER_DEFAULTS;
  expect(publishReserveMs).toBe(worstCaseCallMs(eventBridgeTimeouts) + 1_000);
  expect(publishReserveMs).toBeLessThanOrEqual((timeoutSeconds * 1_000) / 2);
});
