import { type ApplySnapshotsDeps, applySnapshots, type SweepFailure, type SweepTable } from './apply-snapshots';
import { UnexpectedClerkResponseError } from '../shared/errors';
import type { ClerkJson, ClerkPage, ClerkSource } from './clerk-source';
import { type ListCursor, type ListedEntity, nextListStep } from './list-cursor';
import { prunePage } from './prune-missing';
import { afterPage, type ListPhase, listCursorOf, scanCursorOf, type SweepCheckpoint, type SweepPhase } from './sweep-checkpoint';
import type { Clock } from './token-bucket';

/**
 * A sweep (backfill, and reconciliation with prune): every user, organization and membership
 * Clerk's Backend API lists is applied to the table as a snapshot, then, with prune, every live
 * item Clerk no longer has is deleted. The same code runs in `npm run backfill` and in the
 * scheduled reconciler Lambda; each gives it a clock, its clients and a place for the checkpoint.
 */

export interface SweepSettings {
  /** Run the prune phase after the lists. */
  readonly prune: boolean;
  /** Count what would change; write nothing (not even the checkpoint: the caller's saveCheckpoint decides). */
  readonly dryRun: boolean;
  /** Entities per list request (Clerk allows 1 to 500). */
  readonly pageSize: number;
  /** Entities repeated from one page to the next (list-cursor.ts). */
  readonly overlap: number;
  /** Entities applied, and Clerk questions asked, at once. */
  readonly concurrency: number;
  /**
   * Largest share of a prune page's live items that may be deleted (MassPruneRefusedError beyond it).
   * @default SWEEP_DEFAULTS.maxPruneShare
   */
  readonly maxPruneShare?: number;
}

export const SWEEP_DEFAULTS = {
  pageSize: 500,
  overlap: 20,
  /**
   * A first backfill is bound by the table's round trips (a membership takes three), not by
   * Clerk's rate: 32 at once keep a page of 500 well under a second on DynamoDB (BENCHMARKS.md).
   */
  concurrency: 32,
  /**
   * Deletions are terminal, so a prune that would delete more than half of what a page checked
   * (and at least MASS_PRUNE_MINIMUM entities) stops instead: a secret key of another Clerk
   * instance makes every lookup answer 404. A real mass deletion is pruned by hand with
   * `npm run backfill -- --prune --max-prune-share 1`, after a look at `--dry-run`.
   */
  maxPruneShare: 0.5,
} as const;

/** The default overlap, or a quarter of a smaller page. */
export function overlapFor(pageSize: number): number {
  return Math.min(SWEEP_DEFAULTS.overlap, Math.floor(pageSize / 4));
}

export interface SweepProgress {
  readonly checkpoint: SweepCheckpoint;
  /** The phase the page belonged to. */
  readonly phase: SweepPhase;
  /** Clerk's estimate of what is left of that list phase after this page. */
  readonly remainingInPhase?: number;
}

export interface SweepDeps {
  readonly clerk: ClerkSource;
  readonly table: SweepTable;
  readonly clock: Clock;
  /** Called after every page with the checkpoint to resume from. */
  readonly saveCheckpoint: (checkpoint: SweepCheckpoint) => Promise<void>;
  /** Asked between pages: true ends the run after the page in hand (Lambda deadline, Ctrl-C). */
  readonly shouldStop?: () => boolean;
  readonly onPage?: (progress: SweepProgress) => void;
  readonly onFailure?: (failure: SweepFailure) => void;
}

/** Runs the sweep from `from` until it is done or told to stop; resolves to the last checkpoint saved. */
export async function runSweep(deps: SweepDeps, settings: SweepSettings, from: SweepCheckpoint): Promise<SweepCheckpoint> {
  const stop = deps.shouldStop ?? (() => false);
  let checkpoint = from;
  // At least one page per run, whatever `shouldStop` says: a loop of runs always gets somewhere.
  for (let first = true; checkpoint.phase !== 'done' && (first || !stop()); first = false) {
    if (checkpoint.phase === 'prune' && !settings.prune) {
      // Resumed without --prune: the lists are done, so is this sweep.
      checkpoint = { ...checkpoint, phase: 'done', cursor: null };
      await deps.saveCheckpoint(checkpoint);
      break;
    }
    checkpoint = checkpoint.phase === 'prune' ? await sweepPrune(deps, settings, checkpoint, stop) : await sweepList(deps, settings, checkpoint, stop);
  }
  return checkpoint;
}

async function sweepList(deps: SweepDeps, settings: SweepSettings, start: SweepCheckpoint, stop: () => boolean): Promise<SweepCheckpoint> {
  const phase = start.phase as ListPhase;
  const paging = { limit: settings.pageSize, overlap: settings.overlap, byCreationTime: phase === 'users' };
  const applyDeps: ApplySnapshotsDeps = {
    table: deps.table,
    clock: deps.clock,
    dryRun: settings.dryRun,
    concurrency: settings.concurrency,
    ...(deps.onFailure === undefined ? {} : { onFailure: deps.onFailure }),
  };
  let checkpoint = start;
  let cursor = listCursorOf(checkpoint);
  let reading = readAhead(listPage(deps.clerk, phase, cursor, settings.pageSize));
  for (;;) {
    const page = await reading;
    const step = nextListStep(cursor, page.items.map((data) => listed(phase, data)), paging);
    if (step.kind === 'read-again') {
      cursor = step.cursor;
      reading = readAhead(listPage(deps.clerk, phase, cursor, settings.pageSize));
      continue;
    }
    // The next page is read while this one is applied.
    if (step.next !== undefined && !stop()) reading = readAhead(listPage(deps.clerk, phase, step.next, settings.pageSize));
    const counts = await applySnapshots(applyDeps, phase, step.fresh.map((index) => page.items[index]!));
    checkpoint = afterPage(checkpoint, counts, step.next, settings.prune);
    await deps.saveCheckpoint(checkpoint);
    deps.onPage?.({ checkpoint, phase, remainingInPhase: Math.max(0, page.totalCount - cursor.offset - page.items.length) });
    if (step.next === undefined || stop()) return checkpoint;
    cursor = step.next;
  }
}

async function sweepPrune(deps: SweepDeps, settings: SweepSettings, start: SweepCheckpoint, stop: () => boolean): Promise<SweepCheckpoint> {
  let checkpoint = start;
  for (;;) {
    const { counts, next } = await prunePage(
      {
        table: deps.table,
        clerk: deps.clerk,
        clock: deps.clock,
        sweepStartedAt: checkpoint.startedAt,
        dryRun: settings.dryRun,
        concurrency: settings.concurrency,
        maxPruneShare: settings.maxPruneShare ?? SWEEP_DEFAULTS.maxPruneShare,
        ...(deps.onFailure === undefined ? {} : { onFailure: deps.onFailure }),
      },
      scanCursorOf(checkpoint),
    );
    checkpoint = afterPage(checkpoint, counts, next, settings.prune);
    await deps.saveCheckpoint(checkpoint);
    deps.onPage?.({ checkpoint, phase: 'prune' });
    if (next === undefined || stop()) return checkpoint;
  }
}

function listPage(clerk: ClerkSource, phase: ListPhase, cursor: ListCursor, limit: number): Promise<ClerkPage> {
  switch (phase) {
    case 'users':
      return clerk.listUsers(cursor, limit);
    case 'organizations':
      return clerk.listOrganizations(cursor, limit);
    case 'memberships':
      return clerk.listMemberships(cursor, limit);
  }
}

/** A read that may be abandoned (the run stops first) must not become an unhandled rejection. */
function readAhead(reading: Promise<ClerkPage>): Promise<ClerkPage> {
  reading.catch(() => undefined);
  return reading;
}

function listed(phase: ListPhase, data: ClerkJson): ListedEntity {
  const createdAt = data.created_at;
  // Only users are paged by creation time; the others only need their ids.
  if (phase === 'users' && (typeof createdAt !== 'number' || !Number.isFinite(createdAt))) {
    throw new UnexpectedClerkResponseError(`Clerk listed a user without created_at (${String(data.id)}): cannot page by creation time`);
  }
  return { id: String(data.id), createdAt: typeof createdAt === 'number' ? createdAt : 0 };
}
