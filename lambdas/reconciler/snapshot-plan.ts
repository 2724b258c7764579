import { SNAPSHOT_EVENT_ID } from './sweep-event-ids';

/**
 * Whether a snapshot needs writing, decided from the stored item's bookkeeping before any write:
 * a conditional write that fails still costs write units, so a sweep over an unchanged instance
 * would pay for every entity. The applier still decides under its condition (a webhook may land
 * in between); this only spares the calls that cannot change anything.
 */

/** The stored item's bookkeeping (docs/consistency.md), as BatchGetItem projects it. */
export interface StoredState {
  readonly version?: number;
  readonly lastEventId?: string;
  readonly deleted?: boolean;
  /** Memberships: `<created_at ms, zero-padded>#<membership id>`. */
  readonly generation?: string;
}

export interface SnapshotVersion {
  /** The entity's `updated_at`, epoch ms. */
  readonly version: number;
  /** Memberships only. */
  readonly generation?: string;
}

/**
 * create: the table has no state of the entity (no item, or a partial profile a session or
 * membership left). update: it holds an older one. unchanged: this state, or a webhook's of the
 * same version. skip: a newer state or a tombstone: the snapshot is older than the table.
 */
export type SnapshotPlan = 'create' | 'update' | 'unchanged' | 'skip';

export function planSnapshot(stored: StoredState | undefined, snapshot: SnapshotVersion): SnapshotPlan {
  if (stored === undefined) return 'create';
  if (snapshot.generation !== undefined && stored.generation !== undefined && stored.generation !== snapshot.generation) {
    // Another membership of the same user in the same organization: the newer one wins outright.
    return stored.generation < snapshot.generation ? 'update' : 'skip';
  }
  // Deletions are terminal (within a membership's generation too).
  if (stored.deleted === true) return 'skip';
  if (stored.version === undefined) return 'create';
  if (snapshot.version !== stored.version) return snapshot.version > stored.version ? 'update' : 'skip';
  // Same version: the same state. A snapshot's id sorts below every svix id, so it never replaces a webhook's.
  return stored.lastEventId !== undefined && SNAPSHOT_EVENT_ID > stored.lastEventId ? 'update' : 'unchanged';
}
