import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplyContext, ApplyResult } from '../processor/apply-context';
import { applyMembershipDeleted } from '../processor/apply-membership';
import { applyOrganizationDeleted } from '../processor/apply-organization-deleted';
import { applyUserDeleted } from '../processor/apply-user-deleted';
import { describeFailure, isPermanentFailure } from '../processor/is-permanent-failure';
import { PROCESSOR_DEFAULTS } from '../processor/processor-config';
import { MassPruneRefusedError } from '../shared/errors';
import type { ClerkOrganizationMembership } from '../shared/clerk-events';
import { scans, TABLE_KEYS } from '../shared/table-schema';
import type { SweepFailure, SweepTable } from './apply-snapshots';
import { type ClerkSource, IDS_PER_REQUEST } from './clerk-source';
import { applyDeletionToCompletion } from './deletion-to-completion';
import { mapWithConcurrency } from './map-with-concurrency';
import type { ScanCursor, SweepCounts } from './sweep-checkpoint';
import { PRUNE_EVENT_ID } from './sweep-event-ids';
import type { Clock } from './token-bucket';

/**
 * The prune phase: the table's live users, organizations and memberships created before the
 * sweep started are checked against Clerk, a hundred at a time, and each one Clerk does not
 * return is looked up once more on its own before it is deleted, through the processor's
 * deletion appliers and their cascades, as the missed `*.deleted` event would have done. Its
 * deletion time (and version) is when the absence was confirmed.
 *
 * A membership Clerk no longer has is gone for one of three reasons, and each is deleted the way
 * its event would have: its organization was deleted (the organization's deletion and cascade,
 * even when the table never held the organization), its user was deleted (the user's), or only
 * the membership ended (its tombstone).
 */

/** Below this many deletions a page is never refused as a mass prune (a small table can lose half of itself for real). */
export const MASS_PRUNE_MINIMUM = 20;

/** Items evaluated per scan page: bounds a page's work well inside a Lambda invocation. */
const SCAN_PAGE_ITEMS = 1_000;

export interface PruneDeps {
  readonly table: SweepTable;
  readonly clerk: ClerkSource;
  readonly clock: Clock;
  /** Epoch ms: items created at or after it are never pruned. */
  readonly sweepStartedAt: number;
  readonly dryRun: boolean;
  /** Clerk requests (and deletions) in flight at once. */
  readonly concurrency: number;
  /** Largest share of the page's items whose deletion is applied (SweepSettings.maxPruneShare). */
  readonly maxPruneShare: number;
  readonly onFailure?: (failure: SweepFailure) => void;
}

interface LiveItem {
  readonly type: 'user' | 'organization' | 'membership';
  readonly id: string;
  readonly orgId?: string;
  readonly userId?: string;
  readonly role?: string;
  readonly generation?: string;
  readonly createdAt?: string;
  /** Only on a user tombstone this sweep's prune wrote (scans.pruneCandidates). */
  readonly deleted?: boolean;
}

/** A deletion Clerk confirmed: the entity it removes (`kind:id`, so that each is applied once) and how. */
interface Deletion {
  readonly target: string;
  readonly entityId: string;
  readonly apply: (context: ApplyContext, at: number) => Promise<ApplyResult>;
}

/** Something Clerk's batched answer left out; its direct lookup says which deletion, if any, it takes. */
type Suspect = () => Promise<Deletion | undefined>;

type PruneCounts = { checked: number; pruned: number; skipped: number; failed: number };

export async function prunePage(deps: PruneDeps, cursor: ScanCursor): Promise<{ counts: Partial<SweepCounts>; next?: ScanCursor }> {
  const page = await deps.table.documentClient.send(
    new ScanCommand({
      TableName: deps.table.tableName,
      Limit: SCAN_PAGE_ITEMS,
      ...(cursor.startKey === undefined ? {} : { ExclusiveStartKey: { ...cursor.startKey } }),
      ...scans.pruneCandidates(deps.sweepStartedAt, PRUNE_EVENT_ID),
    }),
  );
  const scanned = (page.Items ?? []) as LiveItem[];
  // Tombstones this sweep wrote, on a page read again after a failure: their cascades may be unfinished.
  const unfinished = scanned.filter((item) => item.deleted === true);
  const items = scanned.filter((item) => item.deleted !== true);
  const last = page.LastEvaluatedKey;
  const next: ScanCursor | undefined =
    last === undefined ? undefined : { startKey: { pk: String(last[TABLE_KEYS.partitionKey]), sk: String(last[TABLE_KEYS.sortKey]) } };

  const counts: PruneCounts = { checked: items.length, pruned: 0, skipped: 0, failed: 0 };
  // Users and organizations first. An organization's cascade takes its memberships, which are
  // then not asked about on their own. A pruned user's memberships still are: their organization
  // may be gone too while the table never held it (only its memberships), and in-order delivery
  // would leave its tombstone.
  const done = new Set<string>();
  await finishPrunedUsers(deps, unfinished, done);
  // Everything the page would prune is confirmed before anything is deleted, so the share check
  // below sees the whole page: a deletion cannot be taken back.
  const parents = items.filter((item) => item.type !== 'membership');
  const confirmedParents = await confirm(deps, await suspectParents(deps, parents), done);
  const cascaded = (item: LiveItem) => {
    const organization = target('organization', item.orgId ?? '');
    return done.has(organization) || confirmedParents.has(organization);
  };
  const memberships = items.filter((item) => item.type === 'membership' && !cascaded(item));
  const confirmedMemberships = await confirm(deps, await suspectMemberships(deps, memberships), new Set([...done, ...confirmedParents.keys()]));
  refuseMassPrune(deps, confirmedParents.size + confirmedMemberships.size, parents.length + memberships.length);
  await applyConfirmed(deps, confirmedParents, counts, done);
  await applyConfirmed(deps, confirmedMemberships, counts, done);
  return next === undefined ? { counts } : { counts, next };
}

const target = (kind: LiveItem['type'], id: string) => `${kind}:${id}`;

/**
 * Runs the deletion of users this sweep already pruned once more, which only deletes what their
 * cascade left (a duplicate of the tombstone). Not counted again: they were counted when pruned.
 */
async function finishPrunedUsers(deps: PruneDeps, tombstones: readonly LiveItem[], done: Set<string>): Promise<void> {
  if (deps.dryRun) return;
  for (const { id } of tombstones) done.add(target('user', id));
  await mapWithConcurrency(tombstones, deps.concurrency, async ({ id }) => {
    const at = deps.clock.now();
    await applyDeletionToCompletion(() => userDeletion(id).apply(pruneContext(deps, at), at));
  });
}

function pruneContext(deps: PruneDeps, confirmedAt: number): ApplyContext {
  return {
    documentClient: deps.table.documentClient,
    tableName: deps.table.tableName,
    svixId: PRUNE_EVENT_ID,
    nowMillis: confirmedAt,
    tombstoneTtlDays: deps.table.tombstoneTtlDays,
    // As for snapshots (apply-snapshots.ts): a sweep reads parents first.
    readParentsFirst: true,
    // Bounded as in the processor, so one call's work stays small; applyDeletionToCompletion completes it.
    cascade: {
      maxDeletes: deps.table.cascadeDeletesPerCall ?? PROCESSOR_DEFAULTS.cascadeDeletesPerReceive,
      remainingTimeMs: () => Number.POSITIVE_INFINITY,
      timeReserveMs: 0,
    },
  };
}

/** Asks about every suspect; the deletions Clerk confirms, once each, leaving out those `known` has. */
async function confirm(deps: PruneDeps, suspects: readonly Suspect[], known: ReadonlySet<string>): Promise<Map<string, Deletion>> {
  const confirmed = new Map<string, Deletion>();
  await mapWithConcurrency(suspects, deps.concurrency, async (suspect) => {
    const deletion = await suspect();
    if (deletion !== undefined && !known.has(deletion.target)) confirmed.set(deletion.target, deletion);
  });
  return confirmed;
}

/** Stops the run, before anything of the page is deleted, when Clerk confirms more of it gone than a page may prune. */
function refuseMassPrune(deps: PruneDeps, confirmed: number, considered: number): void {
  if (!deps.dryRun && confirmed >= MASS_PRUNE_MINIMUM && confirmed > deps.maxPruneShare * considered) {
    throw new MassPruneRefusedError(
      `Clerk confirmed ${confirmed} of ${considered} live entities of a page gone, more than the share allowed ` +
        `(${deps.maxPruneShare}); nothing of the page was deleted. Is the secret key that of this table's Clerk instance? ` +
        'If the deletions are real: npm run backfill -- --prune --dry-run, then --max-prune-share 1',
    );
  }
}

/** Applies each confirmed deletion once (not again when `done` has it). */
async function applyConfirmed(deps: PruneDeps, confirmed: ReadonlyMap<string, Deletion>, counts: PruneCounts, done: Set<string>): Promise<void> {
  for (const key of confirmed.keys()) done.add(key);
  await mapWithConcurrency([...confirmed.values()], deps.concurrency, async (deletion) => {
    if (deps.dryRun) {
      counts.pruned += 1;
      return;
    }
    const confirmedAt = deps.clock.now();
    const context = pruneContext(deps, confirmedAt);
    try {
      const { result } = await applyDeletionToCompletion(() => deletion.apply(context, confirmedAt));
      // Not applied: the deletion's webhook got there first.
      counts[result === 'applied' ? 'pruned' : 'skipped'] += 1;
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      counts.failed += 1;
      deps.onFailure?.({ phase: 'prune', entityId: deletion.entityId, reason: describeFailure(error) });
    }
  });
}

const userDeletion = (userId: string): Deletion => ({
  target: target('user', userId),
  entityId: userId,
  apply: (context, at) => applyUserDeleted(context, userId, at, at),
});

const organizationDeletion = (orgId: string): Deletion => ({
  target: target('organization', orgId),
  entityId: orgId,
  apply: (context, at) => applyOrganizationDeleted(context, orgId, at, at),
});

/** The live users and organizations Clerk's batched answers leave out. */
async function suspectParents(deps: PruneDeps, items: readonly LiveItem[]): Promise<Suspect[]> {
  const { clerk } = deps;
  const suspects: Suspect[] = [];
  const questions: (() => Promise<void>)[] = [];
  for (const ids of chunks(items.filter((item) => item.type === 'user').map((item) => item.id))) {
    questions.push(async () => {
      const existing = await clerk.existingUserIds(ids);
      for (const userId of ids.filter((id) => !existing.has(id))) {
        suspects.push(async () => ((await clerk.userExists(userId)) ? undefined : userDeletion(userId)));
      }
    });
  }
  for (const ids of chunks(items.filter((item) => item.type === 'organization').map((item) => item.id))) {
    questions.push(async () => {
      const existing = await clerk.existingOrganizationIds(ids);
      for (const orgId of ids.filter((id) => !existing.has(id))) {
        suspects.push(async () => ((await clerk.organizationExists(orgId)) ? undefined : organizationDeletion(orgId)));
      }
    });
  }
  await mapWithConcurrency(questions, deps.concurrency, (question) => question());
  return suspects;
}

/** The live memberships Clerk no longer has under that id: asked per organization, a hundred users at a time. */
async function suspectMemberships(deps: PruneDeps, memberships: readonly LiveItem[]): Promise<Suspect[]> {
  const { clerk } = deps;
  const byOrganization = new Map<string, LiveItem[]>();
  for (const item of memberships) {
    if (item.orgId === undefined || item.userId === undefined) continue;
    byOrganization.set(item.orgId, [...(byOrganization.get(item.orgId) ?? []), item]);
  }
  const suspects: Suspect[] = [];
  const questions: (() => Promise<void>)[] = [];
  for (const [orgId, group] of byOrganization) {
    for (const members of chunks(group)) {
      questions.push(async () => {
        const current = await clerk.membershipsIn(orgId, members.map((membership) => membership.userId!));
        for (const membership of members.filter((item) => current?.get(item.userId!) !== item.id)) {
          suspects.push(() => membershipDeletion(clerk, orgId, membership));
        }
      });
    }
  }
  await mapWithConcurrency(questions, deps.concurrency, (question) => question());
  return suspects;
}

/** Looks the membership up on its own; if it is gone, says why: its organization, its user, or itself. */
async function membershipDeletion(clerk: ClerkSource, orgId: string, item: LiveItem): Promise<Deletion | undefined> {
  const userId = item.userId!;
  const current = await clerk.membershipsIn(orgId, [userId]);
  if (current === null) return organizationDeletion(orgId);
  if (current.get(userId) === item.id) return undefined;
  if (!(await clerk.userExists(userId))) return userDeletion(userId);
  const membership = storedMembership(item);
  if (membership === undefined) return undefined;
  return {
    target: target('membership', item.id),
    entityId: item.id,
    // A tombstone of the stored generation, as organizationMembership.deleted writes it.
    apply: (context, at) => applyMembershipDeleted(context, membership, at, at),
  };
}

/** The membership a stored item describes, enough for its tombstone: ids and creation time (its generation). */
function storedMembership(item: LiveItem): ClerkOrganizationMembership | undefined {
  const createdAt = item.generation === undefined ? Number.NaN : Number(item.generation.split('#')[0]);
  const created = Number.isFinite(createdAt) ? createdAt : Date.parse(item.createdAt ?? '');
  if (!Number.isFinite(created) || item.orgId === undefined || item.userId === undefined) return undefined;
  return {
    id: item.id,
    role: item.role ?? '',
    created_at: created,
    organization: { id: item.orgId },
    public_user_data: { user_id: item.userId },
  };
}

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < values.length; start += IDS_PER_REQUEST) out.push(values.slice(start, start + IDS_PER_REQUEST));
  return out;
}
