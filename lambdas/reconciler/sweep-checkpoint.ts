import { InvalidCheckpointError } from '../shared/errors';
import { FIRST_PAGE, type ListCursor } from './list-cursor';

/**
 * A sweep's progress, saved after every page: the CLI keeps it in a file, the scheduled sweep in
 * its state table. Resuming from it repeats at most the page that was in flight, which writes
 * nothing the second time (the table already holds those snapshots).
 */

/** Users, organizations and memberships are read from Clerk in that order; prune scans the table. */
export type SweepPhase = 'users' | 'organizations' | 'memberships' | 'prune' | 'done';

export const LIST_PHASES = ['users', 'organizations', 'memberships'] as const;
export type ListPhase = (typeof LIST_PHASES)[number];

/** Where the prune phase's table scan continues (DynamoDB's LastEvaluatedKey). */
export interface ScanCursor {
  readonly startKey?: { readonly pk: string; readonly sk: string };
}

export interface SweepCounts {
  /** Entities read from Clerk (each once, the pages' overlap aside). */
  readonly listed: number;
  /** Written: the table had no state of the entity (or only a partial profile). */
  readonly created: number;
  /** Written: the table held an older state. */
  readonly updated: number;
  /** The table already held this state (or a webhook's of the same version). */
  readonly unchanged: number;
  /** The table holds a newer state or a tombstone: the snapshot is older than the table. */
  readonly skipped: number;
  /** Live in the table, gone from Clerk (confirmed one by one): deleted with their cascades. */
  readonly pruned: number;
  /** Live items the prune phase asked Clerk about. */
  readonly checked: number;
  /** Entities that could not be applied (malformed, refused by DynamoDB); the sweep goes on. */
  readonly failed: number;
}

export const ZERO_COUNTS: SweepCounts = { listed: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, pruned: 0, checked: 0, failed: 0 };

export interface SweepCheckpoint {
  readonly sweepId: string;
  /** Epoch ms. Nothing created at or after it is pruned. */
  readonly startedAt: number;
  readonly phase: SweepPhase;
  /** Where the current phase continues; null when it starts from the beginning (or the sweep is done). */
  readonly cursor: ListCursor | ScanCursor | null;
  readonly counts: SweepCounts;
}

export function newSweep(sweepId: string, startedAt: number): SweepCheckpoint {
  return { sweepId, startedAt, phase: 'users', cursor: null, counts: ZERO_COUNTS };
}

/** The phase after `phase`: prune only when asked. */
export function phaseAfter(phase: SweepPhase, prune: boolean): SweepPhase {
  switch (phase) {
    case 'users':
      return 'organizations';
    case 'organizations':
      return 'memberships';
    case 'memberships':
      return prune ? 'prune' : 'done';
    case 'prune':
    case 'done':
      return 'done';
  }
}

export function addCounts(a: SweepCounts, b: Partial<SweepCounts>): SweepCounts {
  const sum = { ...a };
  for (const key of Object.keys(ZERO_COUNTS) as (keyof SweepCounts)[]) sum[key] = a[key] + (b[key] ?? 0);
  return sum;
}

export function subtractCounts(a: SweepCounts, b: SweepCounts): SweepCounts {
  const difference = { ...a };
  for (const key of Object.keys(ZERO_COUNTS) as (keyof SweepCounts)[]) difference[key] = a[key] - b[key];
  return difference;
}

/** One page done: its counts added, and the cursor where the phase goes on, or the next phase. */
export function afterPage(
  checkpoint: SweepCheckpoint,
  pageCounts: Partial<SweepCounts>,
  next: ListCursor | ScanCursor | undefined,
  prune: boolean,
): SweepCheckpoint {
  const counts = addCounts(checkpoint.counts, pageCounts);
  if (next !== undefined) return { ...checkpoint, cursor: next, counts };
  return { ...checkpoint, phase: phaseAfter(checkpoint.phase, prune), cursor: null, counts };
}

/** A list phase's cursor (the first page when the phase has just begun). */
export function listCursorOf(checkpoint: SweepCheckpoint): ListCursor {
  const cursor = checkpoint.cursor;
  return cursor !== null && 'offset' in cursor ? cursor : FIRST_PAGE;
}

export function scanCursorOf(checkpoint: SweepCheckpoint): ScanCursor {
  const cursor = checkpoint.cursor;
  return cursor !== null && !('offset' in cursor) ? cursor : {};
}

const PHASES: readonly SweepPhase[] = ['users', 'organizations', 'memberships', 'prune', 'done'];

/** Checks a checkpoint read back from a file or the state table; throws InvalidCheckpointError. */
export function parseCheckpoint(value: unknown): SweepCheckpoint {
  const fail = (why: string): never => {
    throw new InvalidCheckpointError(`not a sweep checkpoint: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.sweepId !== 'string' || candidate.sweepId === '') fail('sweepId');
  if (typeof candidate.startedAt !== 'number' || !Number.isFinite(candidate.startedAt)) fail('startedAt');
  if (!PHASES.includes(candidate.phase as SweepPhase)) fail(`phase ${JSON.stringify(candidate.phase)}`);
  const counts = candidate.counts as Record<string, unknown> | undefined;
  if (typeof counts !== 'object' || counts === null) return fail('counts');
  for (const key of Object.keys(ZERO_COUNTS)) {
    if (!Number.isInteger(counts[key]) || (counts[key] as number) < 0) fail(`counts.${key}`);
  }
  const cursor = candidate.cursor;
  if (cursor !== null) {
    if (typeof cursor !== 'object' || cursor === undefined) return fail('cursor');
    const fields = cursor as Record<string, unknown>;
    if ('offset' in fields) {
      if (!Number.isInteger(fields.offset) || (fields.offset as number) < 0) fail('cursor.offset');
      if (!Array.isArray(fields.anchors) || !fields.anchors.every((id) => typeof id === 'string')) fail('cursor.anchors');
      if (fields.createdAfter !== undefined && typeof fields.createdAfter !== 'number') fail('cursor.createdAfter');
    } else if (fields.startKey !== undefined) {
      const key = fields.startKey as Record<string, unknown>;
      if (typeof key?.pk !== 'string' || typeof key?.sk !== 'string') fail('cursor.startKey');
    }
  }
  return value as SweepCheckpoint;
}
