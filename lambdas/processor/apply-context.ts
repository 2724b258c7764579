import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WriteOutcome } from '../shared/conditional-write';
import { classifyRejection, type RejectedAs } from './conditions';
import type { EventStamp } from './session-item';

/** Everything an applier needs to write one event to the table. */
export interface ApplyContext {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly svixId: string;
  /** Epoch ms, for tombstone TTLs. */
  readonly nowMillis: number;
  readonly tombstoneTtlDays: number;
}

export interface ApplyResult {
  readonly result: 'applied' | RejectedAs;
  readonly reason?: string;
}

export function stampOf(context: ApplyContext, version: number): EventStamp {
  return { version, lastEventId: context.svixId };
}

/** applied, or why not: the item was written by this very event (duplicate) or holds a newer state (stale). */
export function resultOfWrite(outcome: WriteOutcome, svixId: string): ApplyResult {
  return outcome.written ? { result: 'applied' } : { result: classifyRejection(outcome.old, svixId) };
}
