import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { toLambdaRecord } from '../lambdas/notifier/lambda-stream-record';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-config';
import { SERVICE_NAMES } from '../lambdas/shared/metrics-contract';
import { InvalidBatchResponseError } from './sqs-event-source';
import { abortableSleep } from './abortable-sleep';

/**
 * Drives a Lambda-style DynamoDB Streams handler from DynamoDB Local's stream the way Lambda's
 * event source mapping does for the stack's stream readers, the mail notifier and the change-events
 * publisher (bisect on error, partial batch responses, bounded retries, an on-failure
 * destination), so `npm start` runs them under the same contract as in AWS (settings not given
 * are the notifier's):
 * - starts at TRIM_HORIZON; reads each shard in order, a child shard only after its parent;
 * - hands over up to `batchSize` records in Lambda's record shape;
 * - partial batch response: the records before the lowest reported sequence number are done
 *   (checkpointed), the rest is retried from that record;
 * - a thrown error or an unusable response fails the whole batch; a failed batch of more than
 *   one record is split in halves, each handled on its own (splitting uses no retries);
 * - after `retryAttempts` retries, or for records older than `maxRecordAgeSeconds`, the batch's
 *   metadata goes to the on-failure queue in Lambda's format and the shard moves on past it,
 *   but only once the queue took the message: the batch's position is never lost on the way.
 * One batch is in flight at a time (Lambda runs one per shard; DynamoDB Local has one open shard).
 */

export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface DynamoDbStreamSourceOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** Lambda puts it on every record as `awsRegion` (DynamoDB Local says `ddblocal`). */
  readonly awsRegion: string;
  readonly handler: StreamBatchHandler;
  /** @default NOTIFIER_DEFAULTS.batchSize */
  readonly batchSize?: number;
  /** Retries of a failing (sub-)batch before it is discarded. @default NOTIFIER_DEFAULTS.retryAttempts */
  readonly retryAttempts?: number;
  /** Older records are discarded unprocessed; -1: no limit. @default NOTIFIER_DEFAULTS.maxRecordAgeSeconds */
  readonly maxRecordAgeSeconds?: number;
  /** Wait between polls of a stream with nothing new. @default 250 (Lambda polls 4 times a second) */
  readonly pollIntervalMs?: number;
  /** Wait before the first retry of a failed batch, doubled for each further one (at most 5 s). @default 500 */
  readonly retryBackoffMs?: number;
  /** Where discarded batches are reported, as Lambda's on-failure destination would. */
  readonly onFailureDestination?: { readonly sqs: SQSClient; readonly queueUrl: string };
  /** Named in the on-failure message. @default a local ARN of the notifier */
  readonly functionArn?: string;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Each discarded batch, after its on-failure message was sent (or could not be). */
  readonly onDiscarded?: (discarded: DiscardedStreamBatch) => void;
  /** Stream or queue calls that failed; the source backs off and carries on. */
  readonly onError?: (error: unknown) => void;
}

/** The message Lambda sends to a stream event source's on-failure destination (SQS or SNS). */
export interface StreamFailureMessage {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** Present when the function threw ('Unhandled'); absent for partial batch responses. */
    readonly functionError?: string;
  };
  readonly version: '1.0';
  /** ISO-8601 */
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    /** ISO-8601 to the second, e.g. `2024-06-05T18:21:49Z` */
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface DiscardedStreamBatch {
  readonly message: StreamFailureMessage;
  readonly records: readonly DynamoDBRecord[];
  /** Whether the on-failure queue accepted the message: false without a destination, or when a stop interrupted the sending. */
  readonly delivered: boolean;
  /** The last error the handler threw, when it threw. */
  readonly lastError?: unknown;
}

export interface RunningDynamoDbStreamSource {
  /**
   * Resolves once every record written to the stream before the call has been handled or
   * discarded (a full pass over the stream found nothing new). Rejects if the source stops first.
   */
  caughtUp(): Promise<void>;
  /** Stops polling and waits for the batch being handled; pending retries are abandoned. */
  stop(): Promise<void>;
}

/** What this source knows about one shard of the stream. */
export interface ShardState {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** Closed and read to its end. */
  finished: boolean;
  iterator?: string;
  /** The last record handled: a lost iterator resumes after it. */
  checkpoint?: string;
}

const ERROR_BACKOFF_MS = 1_000;
const MAX_RETRY_BACKOFF_MS = 5_000;

type InvocationResult =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedFrom: number }
  | { readonly kind: 'error'; readonly error: unknown; readonly functionError?: string };

export function startDynamoDbStreamSource(options: DynamoDbStreamSourceOptions): RunningDynamoDbStreamSource {
  const batchSize = options.batchSize ?? NOTIFIER_DEFAULTS.batchSize;
  const retryAttempts = options.retryAttempts ?? NOTIFIER_DEFAULTS.retryAttempts;
  const maxRecordAgeSeconds = options.maxRecordAgeSeconds ?? NOTIFIER_DEFAULTS.maxRecordAgeSeconds;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const retryBackoffMs = options.retryBackoffMs ?? 500;
  const now = options.now ?? Date.now;
  const functionArn =
    options.functionArn ?? `arn:aws:lambda:${options.awsRegion}:000000000000:function:${SERVICE_NAMES.notifier}-local`;
  const abort = new AbortController();
  const shards = new Map<string, ShardState>();
  let stopping = false;
  let pass = 0;
  let waiters: Array<{ readonly afterPass: number; resolve: () => void; reject: (error: Error) => void }> = [];

  const refreshShards = async (): Promise<void> => {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await options.streams.send(
        new DescribeStreamCommand({ StreamArn: options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: abort.signal },
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, {
          shardId: shard.ShardId,
          ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
          finished: false,
        });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  };

  /** Returns whether anything happened on the shard (records, or it finished). */
  const readShard = async (shard: ShardState): Promise<boolean> => {
    if (shard.iterator === undefined) {
      let ShardIterator: string | undefined;
      try {
        ({ ShardIterator } = await options.streams.send(
          new GetShardIteratorCommand({
            StreamArn: options.streamArn,
            ShardId: shard.shardId,
            ...(shard.checkpoint === undefined
              ? { ShardIteratorType: 'TRIM_HORIZON' }
              : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint }),
          }),
          { abortSignal: abort.signal },
        ));
      } catch (error) {
        // The checkpoint fell out of the stream's retention: carry on from the oldest record left.
        if (!(error instanceof TrimmedDataAccessException)) throw error;
        delete shard.checkpoint;
        return true;
      }
      shard.iterator = ShardIterator;
      if (shard.iterator === undefined) {
        shard.finished = true;
        return true;
      }
    }
    let response;
    try {
      response = await options.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }), {
        abortSignal: abort.signal,
      });
    } catch (error) {
      // Iterators expire (15 minutes in AWS); a fresh one resumes after the checkpoint.
      shard.iterator = undefined;
      if (error instanceof TrimmedDataAccessException) delete shard.checkpoint;
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) return true;
      throw error;
    }
    shard.iterator = response.NextShardIterator;
    const records = (response.Records ?? []).map((record) => toLambdaRecord(record, options));
    if (records.length > 0) {
      await handleBatch(shard.shardId, records);
      shard.checkpoint = records[records.length - 1]!.dynamodb!.SequenceNumber;
    }
    // No next iterator: the shard is closed and read to its end; its children may start.
    if (shard.iterator === undefined) shard.finished = true;
    return records.length > 0 || shard.finished;
  };

  const invoke = async (records: readonly DynamoDBRecord[]): Promise<InvocationResult> => {
    let response: DynamoDBBatchResponse | void;
    try {
      response = await options.handler({ Records: [...records] });
    } catch (error) {
      return { kind: 'error', error, functionError: 'Unhandled' };
    }
    const failures: unknown = response?.batchItemFailures;
    if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'success' };
    if (!Array.isArray(failures)) return { kind: 'error', error: new InvalidBatchResponseError('batchItemFailures is not a list; the whole batch is retried') };
    let failedFrom = records.length;
    for (const failure of failures as Array<{ itemIdentifier?: unknown } | null>) {
      const identifier = failure?.itemIdentifier;
      const index = typeof identifier === 'string' && identifier !== '' ? records.findIndex((record) => record.dynamodb?.SequenceNumber === identifier) : -1;
      // Lambda's rule: an empty, null or unknown identifier fails the whole batch.
      if (index < 0) {
        return {
          kind: 'error',
          error: new InvalidBatchResponseError(`batchItemFailures names "${String(identifier)}", which is not a record of this batch; the whole batch is retried`),
        };
      }
      failedFrom = Math.min(failedFrom, index);
    }
    return { kind: 'partial', failedFrom };
  };

  const handleBatch = async (shardId: string, batch: readonly DynamoDBRecord[]): Promise<void> => {
    let remaining = batch;
    let retries = 0;
    let invocations = 0;
    while (remaining.length > 0) {
      const expired = maxRecordAgeSeconds < 0 ? 0 : countExpired(remaining, now() / 1000 - maxRecordAgeSeconds);
      if (expired > 0) {
        await discard(shardId, remaining.slice(0, expired), 'RecordAgeExceeded', invocations, undefined);
        if (stopping) return;
        remaining = remaining.slice(expired);
        continue;
      }
      invocations += 1;
      const result = await invoke(remaining);
      if (result.kind === 'success') return;
      if (result.kind === 'partial') {
        remaining = remaining.slice(result.failedFrom);
      } else if (remaining.length > 1) {
        // BisectBatchOnFunctionError, as the stack configures it.
        const half = Math.ceil(remaining.length / 2);
        await handleBatch(shardId, remaining.slice(0, half));
        if (!stopping) await handleBatch(shardId, remaining.slice(half));
        return;
      }
      if (retries >= retryAttempts) {
        await discard(shardId, remaining, 'RetryAttemptsExhausted', invocations, result.kind === 'error' ? result : undefined);
        return;
      }
      retries += 1;
      await abortableSleep(Math.min(retryBackoffMs * 2 ** (retries - 1), MAX_RETRY_BACKOFF_MS), abort.signal);
      // Stopping abandons the retry: nothing was checkpointed past it, a new start reads it again.
      if (stopping) return;
    }
  };

  const discard = async (
    shardId: string,
    records: readonly DynamoDBRecord[],
    condition: StreamFailureMessage['requestContext']['condition'],
    invocations: number,
    failure: Extract<InvocationResult, { kind: 'error' }> | undefined,
  ): Promise<void> => {
    const first = records[0]!.dynamodb!;
    const last = records[records.length - 1]!.dynamodb!;
    const message: StreamFailureMessage = {
      requestContext: { requestId: randomUUID(), functionArn, condition, approximateInvokeCount: invocations },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(failure?.functionError ? { functionError: failure.functionError } : {}),
      },
      version: '1.0',
      timestamp: new Date(now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.SequenceNumber!,
        endSequenceNumber: last.SequenceNumber!,
        approximateArrivalOfFirstRecord: isoSeconds(first.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: isoSeconds(last.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: options.streamArn,
      },
    };
    let delivered = false;
    const destination = options.onFailureDestination;
    for (let attempt = 1; destination && !delivered; attempt += 1) {
      try {
        // Not tied to the abort signal: a discarded batch is reported even during shutdown.
        await destination.sqs.send(new SendMessageCommand({ QueueUrl: destination.queueUrl, MessageBody: JSON.stringify(message) }));
        delivered = true;
      } catch (error) {
        options.onError?.(error);
        // Moving on before the queue holds the batch's position would drop its mails without a trace:
        // keep trying. A stop ends it; nothing is checkpointed, the next start reads the records again.
        if (stopping) break;
        await abortableSleep(Math.min(retryBackoffMs * attempt, MAX_RETRY_BACKOFF_MS), abort.signal);
      }
    }
    try {
      options.onDiscarded?.({ message, records, delivered, ...(failure ? { lastError: failure.error } : {}) });
    } catch (error) {
      // A reporting callback must not make the source lose its place in the shard.
      options.onError?.(error);
    }
  };

  const settleWaiters = (emptyPass: number): void => {
    const [done, pending] = partition(waiters, (waiter) => waiter.afterPass < emptyPass);
    waiters = pending;
    for (const waiter of done) waiter.resolve();
  };

  const run = async (): Promise<void> => {
    while (!stopping) {
      pass += 1;
      const thisPass = pass;
      let busy = false;
      try {
        await refreshShards();
        for (const shard of shardsToRead(shards)) {
          if (stopping) break;
          busy = (await readShard(shard)) || busy;
        }
      } catch (error) {
        if (stopping) break;
        options.onError?.(error);
        await abortableSleep(ERROR_BACKOFF_MS, abort.signal);
        continue;
      }
      if (stopping) break;
      if (!busy) {
        settleWaiters(thisPass);
        await abortableSleep(pollIntervalMs, abort.signal);
      }
    }
    const stopped = waiters;
    waiters = [];
    for (const waiter of stopped) waiter.reject(new Error('the stream source stopped before it caught up'));
  };

  const running = run();

  return {
    caughtUp() {
      if (stopping) return Promise.reject(new Error('the stream source is stopped'));
      return new Promise((resolve, reject) => waiters.push({ afterPass: pass, resolve, reject }));
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        abort.abort();
      }
      await running;
    },
  };
}

/**
 * Shards that may be read now, parents before children: a shard whose parent is still known
 * and not finished waits (a parent no longer listed was trimmed, its records are gone).
 */
export function shardsToRead(shards: ReadonlyMap<string, ShardState>): ShardState[] {
  return [...shards.values()].filter((shard) => {
    if (shard.finished) return false;
    const parent = shard.parentShardId === undefined ? undefined : shards.get(shard.parentShardId);
    return parent === undefined || parent.finished;
  });
}

/** Records older than the cut-off (epoch seconds) at the head of the batch: in order, so a prefix. */
function countExpired(records: readonly DynamoDBRecord[], cutoffSeconds: number): number {
  let count = 0;
  while (count < records.length && (records[count]!.dynamodb?.ApproximateCreationDateTime ?? Infinity) < cutoffSeconds) count += 1;
  return count;
}

/** `2024-06-05T18:21:49Z`, as Lambda writes the arrival times. */
function isoSeconds(epochSeconds: number | undefined): string {
  return new Date((epochSeconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function partition<T>(items: readonly T[], predicate: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (predicate(item) ? yes : no).push(item);
  return [yes, no];
}
