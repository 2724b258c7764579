import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { createQueues, type LocalQueues } from '../../local/create-resources';
import {
  type RunningSqsEventSource,
  type SettledBatch,
  type SqsBatchHandler,
  startSqsEventSource,
} from '../../local/sqs-event-source';
import { localSqs, uniqueName } from '../support/local-clients';

/** The SQS event source against the real emulator, with a fake handler standing in for the processor. */

const sqs: SQSClient = localSqs();
let running: RunningSqsEventSource | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function queueArn(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return Attributes!.QueueArn!;
}

async function sendBodies(queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageAttributes: {
            eventType: { DataType: 'String', StringValue: 'user.created' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
          },
        })),
      }),
    );
    expect(result.Failed ?? []).toEqual([]);
  }
}

async function messageCounts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
  };
}

async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return bodies;
    bodies.push(...Messages.map((message) => message.Body!));
  }
}

/** Resolves when `predicate` holds for the settled batches seen so far. */
function collector(): {
  onBatchSettled: (batch: SettledBatch) => void;
  until: (predicate: (batches: readonly SettledBatch[]) => boolean) => Promise<readonly SettledBatch[]>;
} {
  const batches: SettledBatch[] = [];
  const waiters: Array<() => void> = [];
  return {
    onBatchSettled: (batch) => {
      batches.push(batch);
      waiters.splice(0).forEach((wake) => wake());
    },
    until: async (predicate) => {
      while (!predicate(batches)) await new Promise<void>((resolve) => waiters.push(resolve));
      return batches;
    },
  };
}

async function setUp(overrides: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {}): Promise<
  LocalQueues & { queueArn: string }
> {
  const queues = await createQueues(sqs, uniqueName('poller'), overrides);
  return { ...queues, queueArn: await queueArn(queues.queueUrl) };
}

function start(queues: LocalQueues & { queueArn: string }, handler: SqsBatchHandler, extra: {
  batchSize?: number;
  maxBatchingWindowMs?: number;
  concurrency?: number;
  waitTimeSeconds?: number;
  onBatchSettled?: (batch: SettledBatch) => void;
}): RunningSqsEventSource {
  running = startSqsEventSource({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    awsRegion: 'us-east-1',
    handler,
    batchSize: extra.batchSize ?? 10,
    concurrency: extra.concurrency ?? 1,
    waitTimeSeconds: extra.waitTimeSeconds ?? 1,
    maxBatchingWindowMs: extra.maxBatchingWindowMs ?? 0,
    ...(extra.onBatchSettled ? { onBatchSettled: extra.onBatchSettled } : {}),
  });
  return running;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

describe('local SQS event source', () => {
  it('hands over batches of at most batchSize records in the shape Lambda delivers, and deletes them', async () => {
    const queues = await setUp();
    const bodies = Array.from({ length: 23 }, (_, index) => JSON.stringify({ n: index, text: 'é ✓' }));
    await sendBodies(queues.queueUrl, bodies);
    const events: SQSEvent[] = [];
    const { onBatchSettled, until } = collector();
    start(queues, async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    }, { batchSize: 4, onBatchSettled });

    await until((batches) => batches.reduce((sum, batch) => sum + batch.deleted.length, 0) === bodies.length);

    expect(events.every((event) => event.Records.length >= 1 && event.Records.length <= 4)).toBe(true);
    const records = events.flatMap((event) => event.Records);
    expect(records.map((record) => record.body).sort()).toEqual([...bodies].sort());
    const record: SQSRecord = records[0]!;
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: expect.any(String),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        eventType: { stringValue: 'user.created', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: md5(record.body),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn,
      awsRegion: 'us-east-1',
    });
    expect(await messageCounts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes only the records not reported as failures; a failure comes back after the visibility timeout', async () => {
    const queues = await setUp({ visibilityTimeoutSeconds: 1 });
    await sendBodies(queues.queueUrl, ['ok-1', 'fails-once', 'ok-2']);
    const seen: Array<{ body: string; receiveCount: string }> = [];
    const { onBatchSettled, until } = collector();
    start(queues, async (event): Promise<SQSBatchResponse> => {
      seen.push(...event.Records.map((record) => ({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount })));
      const failing = event.Records.filter((record) => record.body === 'fails-once' && record.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
    }, { onBatchSettled });

    const batches = await until((settled) => settled.some((batch) => batch.records.some((record) => record.body === 'fails-once' && batch.deleted.includes(record.messageId))));

    expect(batches[0]!.records.map((record) => record.body).sort()).toEqual(['fails-once', 'ok-1', 'ok-2']);
    expect(batches[0]!.deleted).toHaveLength(2);
    expect(batches[0]!.retained).toEqual([batches[0]!.records.find((record) => record.body === 'fails-once')!.messageId]);
    expect(seen).toEqual(
      expect.arrayContaining([
        { body: 'ok-1', receiveCount: '1' },
        { body: 'ok-2', receiveCount: '1' },
        { body: 'fails-once', receiveCount: '1' },
        { body: 'fails-once', receiveCount: '2' },
      ]),
    );
    expect(seen).toHaveLength(4);
    expect(await messageCounts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves a message that always fails to the redrive policy: it reaches the DLQ after maxReceiveCount receives', async () => {
    const queues = await setUp({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    await sendBodies(queues.queueUrl, ['poison', 'fine']);
    const poisonReceives: string[] = [];
    start(queues, async (event) => {
      const poison = event.Records.filter((record) => record.body === 'poison');
      poisonReceives.push(...poison.map((record) => record.attributes.ApproximateReceiveCount));
      return { batchItemFailures: poison.map((record) => ({ itemIdentifier: record.messageId })) };
    }, {});

    let deadLettered: string[] = [];
    while (deadLettered.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      deadLettered = await drain(queues.deadLetterQueueUrl);
    }

    expect(deadLettered).toEqual(['poison']);
    expect(poisonReceives).toEqual(['1', '2']);
    expect(await messageCounts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes nothing when the handler throws, so the whole batch is delivered again', async () => {
    const queues = await setUp({ visibilityTimeoutSeconds: 1 });
    await sendBodies(queues.queueUrl, ['a', 'b', 'c']);
    let invocations = 0;
    const { onBatchSettled, until } = collector();
    start(queues, async () => {
      invocations += 1;
      if (invocations === 1) throw new Error('processor crashed');
    }, { onBatchSettled });

    const batches = await until((settled) => settled.reduce((sum, batch) => sum + batch.deleted.length, 0) === 3);

    expect(batches[0]!.handlerError).toEqual(new Error('processor crashed'));
    expect(batches[0]!.deleted).toEqual([]);
    expect([...batches[0]!.retained].sort()).toEqual(batches[0]!.records.map((record) => record.messageId).sort());
    const redelivered = batches.slice(1).flatMap((batch) => batch.records);
    expect(redelivered.map((record) => record.body).sort()).toEqual(['a', 'b', 'c']);
    expect(redelivered.every((record) => record.attributes.ApproximateReceiveCount === '2')).toBe(true);
  });

  it('retries the whole batch when the response names a record that is not in the batch, as Lambda does', async () => {
    const queues = await setUp({ visibilityTimeoutSeconds: 1 });
    await sendBodies(queues.queueUrl, ['x', 'y']);
    let invocations = 0;
    const { onBatchSettled, until } = collector();
    start(queues, async () => {
      invocations += 1;
      return { batchItemFailures: invocations === 1 ? [{ itemIdentifier: 'not-a-message-of-this-batch' }] : [] };
    }, { onBatchSettled });

    const batches = await until((settled) => settled.reduce((sum, batch) => sum + batch.deleted.length, 0) === 2);

    expect(batches[0]!.deleted).toEqual([]);
    expect(batches[0]!.handlerError).toBeInstanceOf(Error);
    expect(batches.slice(1).flatMap((batch) => batch.records).every((record) => record.attributes.ApproximateReceiveCount === '2')).toBe(true);
  });

  it('runs several pollers concurrently and hands every message over once when all succeed', async () => {
    const queues = await setUp();
    const bodies = Array.from({ length: 40 }, (_, index) => `m${index}`);
    await sendBodies(queues.queueUrl, bodies);
    const handled: string[] = [];
    let active = 0;
    let maxActive = 0;
    const { onBatchSettled, until } = collector();
    start(queues, async (event) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 50));
      handled.push(...event.Records.map((record) => record.body));
      active -= 1;
    }, { batchSize: 2, concurrency: 3, onBatchSettled });

    await until((settled) => settled.reduce((sum, batch) => sum + batch.deleted.length, 0) === bodies.length);

    expect(handled.sort()).toEqual([...bodies].sort());
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(3);
  });

  it('gathers messages that arrive within the batching window into the same batch', async () => {
    const queues = await setUp();
    const { onBatchSettled, until } = collector();
    start(queues, async () => undefined, { maxBatchingWindowMs: 1_500, onBatchSettled });
    await sendBodies(queues.queueUrl, ['first']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendBodies(queues.queueUrl, ['second', 'third']);

    const batches = await until((settled) => settled.reduce((sum, batch) => sum + batch.deleted.length, 0) === 3);

    expect(batches).toHaveLength(1);
    expect(batches[0]!.records.map((record) => record.body).sort()).toEqual(['first', 'second', 'third']);
  });

  it('stops promptly in the middle of a 20-second long poll', async () => {
    const queues = await setUp();
    const source = start(queues, async () => undefined, { waitTimeSeconds: 20, concurrency: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await source.stop();
    running = undefined;
    expect(await messageCounts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  }, 10_000);
});
