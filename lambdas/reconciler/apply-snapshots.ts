import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApplyContext } from '../processor/apply-context';
import { applyEvent } from '../processor/apply-event';
import { describeFailure, isPermanentFailure } from '../processor/is-permanent-failure';
import { membershipRef } from '../processor/membership-item';
import { type ParsedModelledEvent, parseClerkEvent } from '../processor/parse-clerk-event';
import type { ClerkOrganizationMembership } from '../shared/clerk-events';
import { keys } from '../shared/table-schema';
import type { ClerkJson } from './clerk-source';
import { mapWithConcurrency } from './map-with-concurrency';
import { planSnapshot } from './snapshot-plan';
import type { ListPhase, SweepCounts } from './sweep-checkpoint';
import { SNAPSHOT_EVENT_ID } from './sweep-event-ids';
import type { ItemKey } from '../shared/table-schema';
import { keyString, readStoredStates } from './stored-states';
import type { Clock } from './token-bucket';

/** The table a sweep writes to, and how. */
export interface SweepTable {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly tombstoneTtlDays: number;
  /**
   * Deletes a pruned user's or organization's cascade makes per applier call; the prune calls
   * again until the applier reports the cascade complete.
   * @default PROCESSOR_DEFAULTS.cascadeDeletesPerReceive
   */
  readonly cascadeDeletesPerCall?: number;
}

/** One entity the sweep could not apply; ids only, never personal data. */
export interface SweepFailure {
  readonly phase: ListPhase | 'prune';
  readonly entityId: string;
  readonly reason: string;
}

export interface ApplySnapshotsDeps {
  readonly table: SweepTable;
  readonly clock: Clock;
  /** Count what would be written, write nothing. */
  readonly dryRun: boolean;
  /** Entities applied at once. */
  readonly concurrency: number;
  readonly onFailure?: (failure: SweepFailure) => void;
}

/** A snapshot is applied as the `*.updated` event of its entity would be: same parser, same applier. */
const SNAPSHOT_EVENT_TYPE = {
  users: 'user.updated',
  organizations: 'organization.updated',
  memberships: 'organizationMembership.updated',
} as const satisfies Record<ListPhase, string>;

interface Snapshot {
  readonly entityId: string;
  readonly parsed: ParsedModelledEvent;
  readonly key: ItemKey;
  readonly generation?: string;
}

/**
 * Applies a page of snapshots through the processor's own appliers (versioned by `updated_at`,
 * under the snapshot's event id), after reading what the table holds so that nothing is written
 * where nothing would change. Returns the page's counts; what the applier did decides them.
 */
export async function applySnapshots(deps: ApplySnapshotsDeps, phase: ListPhase, entities: readonly ClerkJson[]): Promise<Partial<SweepCounts>> {
  const counts = { listed: entities.length, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  const fail = (entityId: string, error: unknown): void => {
    counts.failed += 1;
    deps.onFailure?.({ phase, entityId, reason: describeFailure(error) });
  };

  const snapshots: Snapshot[] = [];
  for (const data of entities) {
    const entityId = typeof data.id === 'string' ? data.id : '(no id)';
    try {
      snapshots.push(snapshotOf(phase, data));
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      fail(entityId, error);
    }
  }
  const { documentClient, tableName, tombstoneTtlDays } = deps.table;
  const stored = await readStoredStates(documentClient, tableName, snapshots.map((snapshot) => snapshot.key), deps.clock);

  await mapWithConcurrency(snapshots, deps.concurrency, async (snapshot) => {
    const plan = planSnapshot(stored.get(keyString(snapshot.key)), {
      version: snapshot.parsed.version,
      ...(snapshot.generation === undefined ? {} : { generation: snapshot.generation }),
    });
    if (plan === 'unchanged' || plan === 'skip') {
      counts[plan === 'skip' ? 'skipped' : 'unchanged'] += 1;
      return;
    }
    if (deps.dryRun) {
      counts[plan === 'create' ? 'created' : 'updated'] += 1;
      return;
    }
    // A sweep cannot tell whether the stack publishes change events: it reads parents first, the
    // choice that keeps the table's stream quiet either way (docs/change-events.md).
    const context: ApplyContext = { documentClient, tableName, svixId: SNAPSHOT_EVENT_ID, nowMillis: deps.clock.now(), tombstoneTtlDays, readParentsFirst: true };
    try {
      const { result } = await applyEvent(context, snapshot.parsed);
      // The condition decides: a webhook may have landed since the read.
      if (result === 'applied') counts[plan === 'create' ? 'created' : 'updated'] += 1;
      else counts[result === 'duplicate' ? 'unchanged' : 'skipped'] += 1;
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      fail(snapshot.entityId, error);
    }
  });
  return counts;
}

function snapshotOf(phase: ListPhase, data: ClerkJson): Snapshot {
  const parsed = parseClerkEvent({ type: SNAPSHOT_EVENT_TYPE[phase], data, object: 'event' });
  // Modelled by construction: the three types above are.
  if (!parsed.modelled) throw new Error(`${SNAPSHOT_EVENT_TYPE[phase]} is not a modelled event type`);
  const { event, entityId } = parsed;
  switch (event.type) {
    case 'organizationMembership.updated': {
      const ref = membershipRef(event.data as ClerkOrganizationMembership);
      return { entityId, parsed, key: keys.membership(ref.orgId, ref.userId), generation: ref.generation };
    }
    case 'organization.updated':
      return { entityId, parsed, key: keys.organization(entityId) };
    default:
      return { entityId, parsed, key: keys.user(entityId) };
  }
}
