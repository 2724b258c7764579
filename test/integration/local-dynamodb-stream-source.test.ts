import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { createTable, latestStreamArn } from '../../local/create-resources';
import {
  type DiscardedStreamBatch,
  type DynamoDbStreamSourceOptions,
  type RunningDynamoDbStreamSource,
  type ShardState,
  shardsToRead,
  startDynamoDbStreamSource,
  type StreamBatchHandler,
  type StreamFailureMessage,
} from '../../local/dynamodb-stream-source';

/**
 * The local stream event source against DynamoDB Local's real stream and the SQS emulator:
 * Lambda's record shape, order, checkpointing on partial failure, bisection, bounded retries
 * and the on-failure message.
 */

const dynamodb = localDynamoDb();
const sqs = localSqs();
const streams = new DynamoDBStreamsClient({
  endpoint: process.env.DYNAMODB_ENDPOINT!,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
let source: RunningDynamoDbStreamSource | undefined;

afterEach(async () => {
  await source?.stop();
  source = undefined;
});

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
  streams.destroy();
});

interface Fixture {
  readonly tableName: string;
  readonly streamArn: string;
  readonly queueUrl: string;
}

async function fixture(): Promise<Fixture> {
  const tableName = uniqueName('stream-source');
  await createTable(dynamodb, tableName, { stream: true });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${tableName}-failures` }));
  return { tableName, streamArn: await latestStreamArn(dynamodb, tableName), queueUrl: QueueUrl! };
}

/** Items `item-0` … `item-<n-1>`, one write each, in this order. */
async function putItems(tableName: string, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `item-${index}` }, sk: { S: 'PROFILE' }, n: { N: String(index) } } }));
  }
}

function start(fx: Fixture, handler: StreamBatchHandler, overrides: Partial<DynamoDbStreamSourceOptions> = {}): RunningDynamoDbStreamSource {
  source = startDynamoDbStreamSource({
    streams,
    streamArn: fx.streamArn,
    awsRegion: 'us-east-1',
    handler,
    pollIntervalMs: 20,
    retryBackoffMs: 1,
    onFailureDestination: { sqs, queueUrl: fx.queueUrl },
    ...overrides,
  });
  return source;
}

/** Records every invocation (as item keys) and answers with `respond`. */
function recorder(respond: (records: DynamoDBRecord[], call: number) => DynamoDBBatchResponse | void = () => undefined) {
  const calls: DynamoDBRecord[][] = [];
  const handler: StreamBatchHandler = async (event: DynamoDBStreamEvent) => {
    calls.push(event.Records);
    return respond(event.Records, calls.length);
  };
  return { calls, handler, keys: () => calls.map((records) => records.map(keyOf)) };
}

function keyOf(record: DynamoDBRecord): string {
  return record.dynamodb!.Keys!.pk!.S!;
}

function failAt(records: DynamoDBRecord[], ...keys: string[]): DynamoDBBatchResponse {
  return {
    batchItemFailures: keys.map((key) => ({ itemIdentifier: records.find((record) => keyOf(record) === key)!.dynamodb!.SequenceNumber! })),
  };
}

async function failureMessages(queueUrl: string, expected: number): Promise<StreamFailureMessage[]> {
  const messages: StreamFailureMessage[] = [];
  while (messages.length < expected) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    messages.push(...(Messages ?? []).map((message) => JSON.parse(message.Body!) as StreamFailureMessage));
  }
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  expect(Messages ?? []).toEqual([]);
  return messages;
}

async function shardIdOf(streamArn: string): Promise<string> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return StreamDescription!.Shards![0]!.ShardId!;
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('DynamoDB stream source', () => {
  it('delivers every record once, in stream order, in batches of at most batchSize, shaped as Lambda delivers them', async () => {
    const fx = await fixture();
    const startedAt = Math.floor(Date.now() / 1000);
    await putItems(fx.tableName, 23);
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: fx.tableName,
        Key: { pk: { S: 'item-0' }, sk: { S: 'PROFILE' } },
        UpdateExpression: 'SET b = :b',
        ExpressionAttributeValues: { ':b': { B: new Uint8Array([1, 2, 255]) } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: fx.tableName, Key: { pk: { S: 'item-1' }, sk: { S: 'PROFILE' } } }));
    const { calls, handler } = recorder();

    await start(fx, handler, { batchSize: 10 }).caughtUp();

    expect(calls.map((records) => records.length)).toEqual([10, 10, 5]);
    const records = calls.flat();
    expect(records.map(keyOf)).toEqual([...Array.from({ length: 23 }, (_, index) => `item-${index}`), 'item-0', 'item-1']);
    const sequence = records.map((record) => BigInt(record.dynamodb!.SequenceNumber!));
    expect(sequence.every((number, index) => index === 0 || number > sequence[index - 1]!)).toBe(true);
    expect(records.map((record) => record.eventName)).toEqual([...Array<string>(23).fill('INSERT'), 'MODIFY', 'REMOVE']);
    for (const record of records) {
      expect(record).toEqual(
        expect.objectContaining({ eventSource: 'aws:dynamodb', eventSourceARN: fx.streamArn, awsRegion: 'us-east-1', eventVersion: '1.1', eventID: expect.any(String) }),
      );
      expect(record.dynamodb).toEqual(expect.objectContaining({ StreamViewType: 'NEW_AND_OLD_IMAGES', SizeBytes: expect.any(Number) }));
      // Epoch seconds (DynamoDB Local rounds down to the minute).
      const created = record.dynamodb!.ApproximateCreationDateTime!;
      expect(Number.isInteger(created)).toBe(true);
      expect(created).toBeGreaterThanOrEqual(startedAt - 60);
      expect(created).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    }
    const [modify, remove] = records.slice(-2);
    expect(modify!.dynamodb!.OldImage).toEqual({ pk: { S: 'item-0' }, sk: { S: 'PROFILE' }, n: { N: '0' } });
    expect(modify!.dynamodb!.NewImage).toEqual({ pk: { S: 'item-0' }, sk: { S: 'PROFILE' }, n: { N: '0' }, b: { B: Buffer.from([1, 2, 255]).toString('base64') } });
    expect(remove!.dynamodb!.NewImage).toBeUndefined();
    expect(remove!.dynamodb!.OldImage).toEqual({ pk: { S: 'item-1' }, sk: { S: 'PROFILE' }, n: { N: '1' } });

    // Later writes arrive in later batches; nothing is delivered twice.
    await putItems(fx.tableName, 1);
    await source!.caughtUp();
    expect(calls.flat().map(keyOf).slice(25)).toEqual(['item-0']);
  });

  it('on a partial batch response, retries from the lowest failed record and never redelivers the records before it', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 6);
    const { keys, handler } = recorder((records, call) => (call === 1 ? failAt(records, 'item-4', 'item-2') : undefined));

    await start(fx, handler).caughtUp();

    expect(keys()).toEqual([
      ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5'],
      ['item-2', 'item-3', 'item-4', 'item-5'],
    ]);
  });

  it('bisects a batch whose invocation throws, retries the failing record retryAttempts times, then sends the on-failure message and moves on', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 4);
    const discarded: DiscardedStreamBatch[] = [];
    const { keys, handler, calls } = recorder((records) => {
      if (records.some((record) => keyOf(record) === 'item-2')) throw new Error('mail transport down');
    });

    await start(fx, handler, { retryAttempts: 2, onDiscarded: (batch) => discarded.push(batch) }).caughtUp();

    expect(keys()).toEqual([
      ['item-0', 'item-1', 'item-2', 'item-3'],
      ['item-0', 'item-1'],
      ['item-2', 'item-3'],
      ['item-2'],
      ['item-2'],
      ['item-2'],
      ['item-3'],
    ]);
    const failed = calls[3]![0]!;
    const [message] = await failureMessages(fx.queueUrl, 1);
    expect(message).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:\d{12}:function:/),
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: await shardIdOf(fx.streamArn),
        startSequenceNumber: failed.dynamodb!.SequenceNumber,
        endSequenceNumber: failed.dynamodb!.SequenceNumber,
        approximateArrivalOfFirstRecord: expect.stringMatching(ISO_SECONDS),
        approximateArrivalOfLastRecord: expect.stringMatching(ISO_SECONDS),
        batchSize: 1,
        streamArn: fx.streamArn,
      },
    });
    expect(new Date(message!.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).getTime() / 1000).toBe(failed.dynamodb!.ApproximateCreationDateTime);
    expect(discarded).toEqual([expect.objectContaining({ message, delivered: true, records: [failed], lastError: new Error('mail transport down') })]);
  });

  it('discards the failing suffix after retries of partial failures, and treats an unknown identifier as a whole-batch failure', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 5);
    const { keys, handler, calls } = recorder((records, call) => {
      if (call === 1) return { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] };
      if (records.some((record) => keyOf(record) === 'item-3')) return failAt(records, 'item-3');
      return undefined;
    });

    await start(fx, handler, { retryAttempts: 1 }).caughtUp();

    // The invalid response fails all five: halves [0,1,2] and [3,4]; item-3 keeps failing inside [3,4].
    expect(keys()).toEqual([
      ['item-0', 'item-1', 'item-2', 'item-3', 'item-4'],
      ['item-0', 'item-1', 'item-2'],
      ['item-3', 'item-4'],
      ['item-3', 'item-4'],
    ]);
    const [message] = await failureMessages(fx.queueUrl, 1);
    expect(message!.requestContext).toEqual(expect.objectContaining({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 }));
    expect(message!.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(message!.DDBStreamBatchInfo).toEqual(
      expect.objectContaining({ startSequenceNumber: calls[2]![0]!.dynamodb!.SequenceNumber, endSequenceNumber: calls[2]![1]!.dynamodb!.SequenceNumber, batchSize: 2 }),
    );
  });

  it('keeps offering a discarded batch to the on-failure queue while the queue fails, and moves past it only once the queue took it', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 3);
    const failing = localSqs();
    const realSend = failing.send.bind(failing) as (command: unknown) => Promise<unknown>;
    const mock = mockClient(failing);
    let refusals = 0;
    const fake = async (command: unknown) => {
      if (command instanceof SendMessageCommand && refusals < 6) {
        refusals += 1;
        throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      }
      return realSend(command);
    };
    mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
    const log: string[] = [];
    const errors: unknown[] = [];
    const discarded: DiscardedStreamBatch[] = [];
    const handler: StreamBatchHandler = async (event) => {
      const key = keyOf(event.Records[0]!);
      log.push(key);
      if (key === 'item-1') throw new Error('mail transport down');
    };

    try {
      await start(fx, handler, {
        batchSize: 1,
        retryAttempts: 0,
        onFailureDestination: { sqs: failing, queueUrl: fx.queueUrl },
        onError: (error) => errors.push(error),
        onDiscarded: (batch) => {
          discarded.push(batch);
          log.push(`discarded ${keyOf(batch.records[0]!)}`);
        },
      }).caughtUp();
    } finally {
      mock.restore();
    }

    expect(log).toEqual(['item-0', 'item-1', 'discarded item-1', 'item-2']);
    expect(errors).toHaveLength(6);
    expect(discarded).toEqual([expect.objectContaining({ delivered: true })]);
    const [message] = await failureMessages(fx.queueUrl, 1);
    expect(message!.DDBStreamBatchInfo.startSequenceNumber).toBe(discarded[0]!.records[0]!.dynamodb!.SequenceNumber);
  });

  it('sends records older than maxRecordAge to the on-failure queue without invoking the handler', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 3);
    const { calls, handler } = recorder();

    await start(fx, handler, { maxRecordAgeSeconds: 3600, now: () => Date.now() + 2 * 3600 * 1000 }).caughtUp();

    expect(calls).toEqual([]);
    const [message] = await failureMessages(fx.queueUrl, 1);
    expect(message!.requestContext).toEqual(expect.objectContaining({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 }));
    expect(message!.DDBStreamBatchInfo.batchSize).toBe(3);
  });

  it('stop() waits for the batch in flight and abandons what is left', async () => {
    const fx = await fixture();
    await putItems(fx.tableName, 2);
    let release!: () => void;
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    let finished = false;
    const running = start(fx, async () => {
      entered();
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
      // Fails: a retry would follow, but stopping abandons it.
      throw new Error('interrupted');
    }, { batchSize: 1 });
    const caughtUp = running.caughtUp();
    await inFlight;

    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(finished).toBe(true);
    await expect(caughtUp).rejects.toThrow('stopped before it caught up');
  });
});

describe('shard order', () => {
  const shard = (shardId: string, parentShardId?: string, finished = false): ShardState => ({
    shardId,
    ...(parentShardId ? { parentShardId } : {}),
    finished,
  });
  const ids = (shards: ShardState[]) => shardsToRead(new Map(shards.map((state) => [state.shardId, state]))).map((state) => state.shardId);

  it('reads a child shard only once its parent is finished, or when the parent is no longer listed (trimmed)', () => {
    expect(ids([shard('a'), shard('b', 'a'), shard('c', 'b')])).toEqual(['a']);
    expect(ids([shard('a', undefined, true), shard('b', 'a'), shard('c', 'b')])).toEqual(['b']);
    expect(ids([shard('b', 'trimmed'), shard('x')])).toEqual(['b', 'x']);
    expect(ids([shard('a', undefined, true), shard('b', 'a', true)])).toEqual([]);
  });
});
