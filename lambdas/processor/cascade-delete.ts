import { BatchWriteCommand, DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { CascadeDeleteError } from '../shared/errors';
import type { ItemKey, KeyQuery } from '../shared/table-schema';
import type { ApplyContext } from './apply-context';

// The deletes of one round: one BatchWriteItem, which takes at most 25 requests.
export const DELETES_IN_FLIGHT = 25;

// Calls of one round's BatchWriteItem while DynamoDB leaves deletes unprocessed, and the wait before the first retry.
const UNPROCESSED_ATTEMPTS = 4;
const UNPROCESSED_FIRST_WAIT_MS = 50;

// Keys one query page of a budgeted cascade reads at most (a budget may be far larger).
export const KEYS_PER_PAGE = 1_000;

/** How much of one invocation a cascade may use (docs/consistency.md, "Large cascades"). */
export interface CascadeLimits {
  /** Deletes the cascade may make in this invocation. */
  readonly maxDeletes: number;
  /** Time left in the invocation, ms (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingTimeMs: () => number;
  /** No round of deletes starts with less time left than this, except the cascade's first. */
  readonly timeReserveMs: number;
}

/**
 * One cascade's share of the invocation. A round (one query page, or up to DELETES_IN_FLIGHT
 * deletes) starts only while deletes are left and, after the first round that deleted
 * something, while enough time is left: every receive makes progress, and none runs into the
 * function timeout because of a cascade. Without limits, everything is deleted at once.
 */
export class CascadeBudget {
  private deleted = 0;

  constructor(private readonly limits: CascadeLimits | undefined) {}

  /** Deletes the next round may make; 0 when the cascade must stop here and continue later. */
  nextRound(wanted: number): number {
    if (this.limits === undefined) return wanted;
    const left = this.limits.maxDeletes - this.deleted;
    if (left <= 0) return 0;
    if (this.deleted > 0 && this.limits.remainingTimeMs() < this.limits.timeReserveMs) return 0;
    return Math.min(wanted, left);
  }

  spend(deletes: number): void {
    this.deleted += deletes;
  }

  get deletes(): number {
    return this.deleted;
  }
}

/**
 * Deletes the items of a partition query (the table module's `queries.userSessions`,
 * `queries.organizationMembers`), tombstones included, as far as the budget allows; `true` when
 * none is left. Strongly consistent reads, so every item written before the parent's tombstone
 * is found; anything written after checks the parent itself and removes itself. Deleted items
 * are gone, so a later call (the cascade's continuation) finds exactly what is left.
 */
export async function deleteChildren(context: ApplyContext, children: KeyQuery, budget: CascadeBudget): Promise<boolean> {
  let startKey: Record<string, unknown> | undefined;
  for (;;) {
    const pageLimit = budget.nextRound(Number.POSITIVE_INFINITY);
    if (pageLimit === 0) return false;
    const page = await context.documentClient.send(
      new QueryCommand({
        TableName: context.tableName,
        ...children,
        // The key attributes, by the names the key condition already gives them.
        ProjectionExpression: '#pk, #sk',
        ConsistentRead: true,
        ...(Number.isFinite(pageLimit) ? { Limit: Math.min(pageLimit, KEYS_PER_PAGE) } : {}),
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    const items = (page.Items ?? []) as ItemKey[];
    if (!(await deleteInRounds(context, items, (key) => key, budget))) return false;
    if (page.LastEvaluatedKey === undefined) return true;
    startKey = page.LastEvaluatedKey;
  }
}

/**
 * Deletes the item of each entry in rounds of at most DELETES_IN_FLIGHT, as far as the budget
 * allows; `true` when all are deleted. `afterRound` runs after each round with its entries.
 */
export async function deleteInRounds<T>(
  context: ApplyContext,
  entries: readonly T[],
  keyOf: (entry: T) => ItemKey,
  budget: CascadeBudget,
  afterRound?: (deleted: readonly T[]) => Promise<void>,
): Promise<boolean> {
  for (let start = 0; start < entries.length; ) {
    const size = budget.nextRound(Math.min(DELETES_IN_FLIGHT, entries.length - start));
    if (size === 0) return false;
    const round = entries.slice(start, start + size);
    await deleteItems(context, round.map(keyOf));
    budget.spend(round.length);
    await afterRound?.(round);
    start += size;
  }
  return true;
}

/**
 * Deletes the items in one BatchWriteItem (at most 25): unconditional, since a child of a
 * deleted parent must go whatever state it is in, and one delete per item, so the table's stream
 * shows one REMOVE per child. What DynamoDB leaves unprocessed (throttling) is sent again after
 * a short wait; if some is still left, CascadeDeleteError, and the record is retried.
 */
export async function deleteItems(context: ApplyContext, keys: readonly ItemKey[]): Promise<void> {
  let requests: Record<string, unknown>[] = keys.map((key) => ({ DeleteRequest: { Key: key } }));
  for (let attempt = 1; requests.length > 0; attempt += 1) {
    if (attempt > UNPROCESSED_ATTEMPTS) {
      throw new CascadeDeleteError(`${requests.length} of a cascade's deletes were left unprocessed ${UNPROCESSED_ATTEMPTS} times`);
    }
    if (attempt > 1) await sleep(UNPROCESSED_FIRST_WAIT_MS * 2 ** (attempt - 2));
    const { UnprocessedItems } = await context.documentClient.send(
      new BatchWriteCommand({ RequestItems: { [context.tableName]: requests } }),
    );
    requests = UnprocessedItems?.[context.tableName] ?? [];
  }
}

/** Unconditional: a child of a deleted parent must go whatever state it is in. */
export async function deleteItem(context: ApplyContext, key: ItemKey): Promise<void> {
  await context.documentClient.send(new DeleteCommand({ TableName: context.tableName, Key: key }));
}
