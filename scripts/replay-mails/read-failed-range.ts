import {
  type _Record as SdkStreamRecord,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { toLambdaRecord } from '../../lambdas/notifier/lambda-stream-record';
import type { FailedBatch } from './failure-message';

export type RangeRead =
  /** Every record of the range, in stream order. */
  | { readonly kind: 'complete'; readonly records: readonly DynamoDBRecord[] }
  /** The stream no longer has (all of) the range: older than its 24 h, or the shard is gone. */
  | { readonly kind: 'expired'; readonly reason: string; readonly readable: number }
  /** The end of the range was not reached; maybe later (an open shard answering empty pages). */
  | { readonly kind: 'incomplete'; readonly reason: string; readonly readable: number };

export interface RangeReadOptions {
  /** Empty pages in a row after which an open shard is given up on. @default 20 */
  readonly maxEmptyPages?: number;
  /** Wait after an empty page (GetRecords allows 5 calls a second per shard). @default 250 */
  readonly emptyPagePauseMs?: number;
}

/** GetRecords returns at most 1000 records a call. */
const MAX_PAGE = 1000;

/**
 * Reads the records from startSequenceNumber to endSequenceNumber of the batch's shard:
 * GetShardIterator AT_SEQUENCE_NUMBER the start, then GetRecords pages until past the end or
 * the end of a closed shard. The range is complete only when it starts with the start record
 * and reaches the end record: the records were contiguous in the shard when Lambda sent them.
 */
export async function readFailedRange(streams: DynamoDBStreamsClient, batch: FailedBatch, options: RangeReadOptions = {}): Promise<RangeRead> {
  const maxEmptyPages = options.maxEmptyPages ?? 20;
  const pauseMs = options.emptyPagePauseMs ?? 250;
  const start = BigInt(batch.startSequenceNumber);
  const end = BigInt(batch.endSequenceNumber);
  const records: SdkStreamRecord[] = [];
  const iteratorAt = async (after?: string): Promise<string | undefined> =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: batch.streamArn,
          ShardId: batch.shardId,
          ...(after === undefined
            ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: batch.startSequenceNumber }
            : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
        }),
      )
    ).ShardIterator;
  const expired = (error: unknown): RangeRead | undefined => {
    if (error instanceof TrimmedDataAccessException) {
      return { kind: 'expired', reason: 'the stream has trimmed these records (TrimmedDataAccessException)', readable: 0 };
    }
    if (error instanceof ResourceNotFoundException) {
      return { kind: 'expired', reason: `the shard or the stream no longer exists (ResourceNotFoundException: ${error.message})`, readable: 0 };
    }
    return undefined;
  };

  let iterator: string | undefined;
  try {
    iterator = await iteratorAt();
  } catch (error) {
    const gone = expired(error);
    if (gone) return gone;
    throw error;
  }
  let reachedEnd = false;
  let emptyPages = 0;
  while (iterator !== undefined && !reachedEnd) {
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(MAX_PAGE, batch.batchSize) }));
    } catch (error) {
      // Iterators expire after 15 minutes; a fresh one resumes after the last record read.
      if (error instanceof ExpiredIteratorException) {
        iterator = await iteratorAt(records.at(-1)?.dynamodb?.SequenceNumber);
        continue;
      }
      const gone = expired(error);
      if (gone) return { ...gone, readable: records.length } as RangeRead;
      throw error;
    }
    iterator = page.NextShardIterator ?? undefined;
    const pageRecords = page.Records ?? [];
    if (pageRecords.length === 0) {
      emptyPages += 1;
      if (emptyPages >= maxEmptyPages) {
        return {
          kind: 'incomplete',
          reason: `the range's last record was not reached after ${emptyPages} empty reads of the open shard`,
          readable: records.length,
        };
      }
      if (iterator !== undefined) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      continue;
    }
    emptyPages = 0;
    for (const record of pageRecords) {
      const sequence = BigInt(record.dynamodb?.SequenceNumber ?? '-1');
      if (sequence < start) continue;
      if (sequence > end) {
        reachedEnd = true;
        break;
      }
      records.push(record);
      if (sequence === end) {
        reachedEnd = true;
        break;
      }
    }
  }
  if (records[0]?.dynamodb?.SequenceNumber === undefined || BigInt(records[0].dynamodb.SequenceNumber) !== start) {
    return { kind: 'expired', reason: 'the first record of the range is no longer in the stream', readable: records.length };
  }
  if (!reachedEnd) return { kind: 'expired', reason: 'the shard ends before the last record of the range', readable: records.length };
  return { kind: 'complete', records: records.map((record) => toLambdaRecord(record, { streamArn: batch.streamArn, awsRegion: batch.region })) };
}
