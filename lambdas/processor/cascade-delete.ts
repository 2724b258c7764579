import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ItemKey, KeyQuery } from '../shared/table-schema';
import type { ApplyContext } from './apply-context';

// Bounds the concurrent deletes of one cascade so one big organization cannot flood the table.
export const DELETES_IN_FLIGHT = 25;

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
    await Promise.all(round.map((entry) => deleteItem(context, keyOf(entry))));
    budget.spend(round.length);
    await afterRound?.(round);
    start += size;
  }
  return true;
}

/** Unconditional: a child of a deleted parent must go whatever state it is in. */
export async function deleteItem(context: ApplyContext, key: ItemKey): Promise<void> {
  await context.documentClient.send(new DeleteCommand({ TableName: context.tableName, Key: key }));
}
