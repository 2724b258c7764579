import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WriteOutcome } from '../shared/conditional-write';
import type { CascadeLimits } from './cascade-delete';
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
  /**
   * Read a session's or membership's parents before writing it, and write nothing under a deleted
   * one (removeUnderDeletedParent). The check after the write runs either way.
   */
  readonly readParentsFirst: boolean;
  /**
   * How much a user's or an organization's deletion may delete in this call; the rest is left
   * for a later call with the same event (`cascadeComplete: false`).
   * @default - no limit: the whole cascade in one call
   */
  readonly cascade?: CascadeLimits;
}

export interface ApplyResult {
  readonly result: 'applied' | RejectedAs;
  readonly reason?: string;
  /** Set by the deletions that cascade (user.deleted, organization.deleted); see DeletionResult. */
  readonly cascadeComplete?: boolean;
}

/**
 * What `applyUserDeleted` and `applyOrganizationDeleted` return. `cascadeComplete: false`: the
 * tombstone is written, but children are left because the call ran out of its cascade budget
 * (`ApplyContext.cascade`). Applying the same event again continues where this call stopped
 * (duplicates are detected, deleted children are gone), until a call returns `true`; until
 * then, readers may still find children of the deleted parent.
 */
export interface DeletionResult extends ApplyResult {
  readonly cascadeComplete: boolean;
}

export function stampOf(context: ApplyContext, version: number): EventStamp {
  return { version, lastEventId: context.svixId };
}

/** applied, or why not: the item was written by this very event (duplicate) or holds a newer state (stale). */
export function resultOfWrite(outcome: WriteOutcome, svixId: string): ApplyResult {
  return outcome.written ? { result: 'applied' } : { result: classifyRejection(outcome.old, svixId) };
}
