import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describeFailure } from '../shared/describe-failure';
import { retryFrom } from '../shared/stream-batch-failure';
import type { ChangeEvent } from './change-event';
import { CHANGE_PUBLISHER_DEFAULTS } from './change-events-config';
import { changeEventsOf } from './change-events-of-record';

/** What the bus made of one put: the index of the first event it refused, if any. */
export interface PublishOutcome {
  readonly failedFrom?: number;
  /** Why, for the log: the bus's error code. */
  readonly reason?: string;
}

/**
 * Puts events on the bus in one call (at most PUT_EVENTS_LIMITS.entries). Throws when the call
 * failed as a whole. The stack's is lambdas/change-events/event-bridge-publisher.ts; `npm start`
 * writes a file instead (local/change-events-sink.ts).
 */
export type ChangeEventPublisher = (events: readonly ChangeEvent[]) => Promise<PublishOutcome>;

/** EventBridge's PutEvents limits: 10 entries and 256 KB a call (kept under by a margin for the bus name and time). */
export const PUT_EVENTS_LIMITS = { entries: 10, bytes: 250_000 } as const;

export interface ChangeEventsDeps {
  readonly publish: ChangeEventPublisher;
  readonly logger: Pick<Logger, 'error' | 'warn'>;
  /** Events the bus accepted, in the order put. */
  readonly onPublished?: (events: readonly ChangeEvent[]) => void;
  /** The record the batch stopped at; the event source retries from it. */
  readonly onRecordFailed?: (record: DynamoDBRecord, reason: string) => void;
  /** Milliseconds left in the invocation (Lambda's context); absent, no deadline (the local pipeline). */
  readonly remainingTimeMs?: () => number;
  /** A put starts only with this much time left (its worst case and a margin). */
  readonly reserveMs?: number;
}

interface Pending {
  readonly recordIndex: number;
  readonly event: ChangeEvent;
}

/**
 * The change events publisher: the sync table's stream in, change events on the bus out, in
 * stream order (docs/change-events.md). Events go out in puts of up to 10, one put at a time.
 * At the first record whose events could not be made or put, the batch stops: the records
 * before it are done (the event source checkpoints them) and the rest is retried from it. A put
 * the bus took only in part is retried from its first refused event, so events after it that
 * were accepted go out again, with the same changeId.
 */
export function createChangeEventsHandler(deps: ChangeEventsDeps): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async ({ Records: records }) => {
    const pending: Pending[] = [];
    let failed: { index: number; reason: string } | undefined;
    for (const [recordIndex, record] of records.entries()) {
      try {
        for (const event of changeEventsOf(record)) pending.push({ recordIndex, event });
      } catch (error) {
        failed = { index: recordIndex, reason: describeFailure(error) };
        break;
      }
    }

    const reserveMs = deps.reserveMs ?? CHANGE_PUBLISHER_DEFAULTS.publishReserveMs;
    for (const chunk of chunksOf(pending)) {
      const left = deps.remainingTimeMs?.();
      if (left !== undefined && left < reserveMs) {
        // Stopping here is a checkpoint; a put cut off by the timeout would fail the whole batch.
        failed = { index: chunk[0]!.recordIndex, reason: `${left} ms left in the invocation, a put may need ${reserveMs}` };
        break;
      }
      let outcome: PublishOutcome;
      try {
        outcome = await deps.publish(chunk.map(({ event }) => event));
      } catch (error) {
        outcome = { failedFrom: 0, reason: describeFailure(error) };
      }
      const accepted = chunk.slice(0, outcome.failedFrom ?? chunk.length).map(({ event }) => event);
      if (accepted.length > 0) deps.onPublished?.(accepted);
      if (outcome.failedFrom !== undefined) {
        const index = chunk[outcome.failedFrom]?.recordIndex ?? chunk[0]!.recordIndex;
        // A record that could not be made into events comes after this one, or is this one.
        failed = { index, reason: `the bus refused its change event: ${outcome.reason ?? 'no reason given'}` };
        break;
      }
    }

    if (failed === undefined) return { batchItemFailures: [] };
    const record = records[failed.index]!;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    deps.logger.error('change events not published, the stream record will be retried', {
      streamEventId: record.eventID,
      sequenceNumber,
      reason: failed.reason,
    });
    deps.onRecordFailed?.(record, failed.reason);
    return retryFrom(record);
  };
}

/** Consecutive puts within PutEvents' limits, in order. */
function chunksOf(pending: readonly Pending[]): Pending[][] {
  const chunks: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    const size = entryBytes(item.event);
    if (current.length === PUT_EVENTS_LIMITS.entries || (current.length > 0 && bytes + size > PUT_EVENTS_LIMITS.bytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** How EventBridge sizes an entry: source, detail-type and detail in UTF-8, plus 14 bytes for the time. */
function entryBytes(event: ChangeEvent): number {
  return Buffer.byteLength(JSON.stringify(event.detail)) + Buffer.byteLength(event.detailType) + 32;
}
