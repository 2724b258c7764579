import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplyContext, ApplyResult } from '../processor/apply-context';
import { applyMembershipDeleted } from '../processor/apply-membership';
import { applyOrganizationDeleted } from '../processor/apply-organization-deleted';
import { applyUserDeleted } from '../processor/apply-user-deleted';
import { describeFailure, isPermanentFailure } from '../processor/is-permanent-failure';
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
 */

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
}

interface Candidate {
  readonly entityId: string;
  /** Still there? (the batched question, then the direct one) */
  readonly confirmGone: () => Promise<boolean>;
  readonly delete: (context: ApplyContext, at: number) => Promise<ApplyResult>;
}

export async function prunePage(deps: PruneDeps, cursor: ScanCursor): Promise<{ counts: Partial<SweepCounts>; next?: ScanCursor }> {
  const page = await deps.table.documentClient.send(
    new ScanCommand({
      TableName: deps.table.tableName,
      Limit: SCAN_PAGE_ITEMS,
      ...(cursor.startKey === undefined ? {} : { ExclusiveStartKey: { ...cursor.startKey } }),
      ...scans.liveEntitiesCreatedBefore(deps.sweepStartedAt),
    }),
  );
  const items = (page.Items ?? []) as LiveItem[];
  const last = page.LastEvaluatedKey;
  const next: ScanCursor | undefined =
    last === undefined ? undefined : { startKey: { pk: String(last[TABLE_KEYS.partitionKey]), sk: String(last[TABLE_KEYS.sortKey]) } };

  const counts = { checked: items.length, pruned: 0, skipped: 0, failed: 0 };
  // Users and organizations first: their cascades take their memberships, which are then not
  // asked about (nor counted) on their own.
  const gone = new Set<string>();
  await prune(deps, await missingParents(deps, items), counts, gone);
  const cascaded = (item: LiveItem) => gone.has(item.userId ?? '') || gone.has(item.orgId ?? '');
  await prune(deps, await missingMemberships(deps, items.filter((item) => item.type === 'membership' && !cascaded(item))), counts, gone);
  return next === undefined ? { counts } : { counts, next };
}

async function prune(
  deps: PruneDeps,
  candidates: readonly Candidate[],
  counts: { pruned: number; skipped: number; failed: number },
  gone: Set<string>,
): Promise<void> {
  await mapWithConcurrency(candidates, deps.concurrency, async (candidate) => {
    if (!(await candidate.confirmGone())) return;
    gone.add(candidate.entityId);
    if (deps.dryRun) {
      counts.pruned += 1;
      return;
    }
    const confirmedAt = deps.clock.now();
    const context: ApplyContext = {
      documentClient: deps.table.documentClient,
      tableName: deps.table.tableName,
      svixId: PRUNE_EVENT_ID,
      nowMillis: confirmedAt,
      tombstoneTtlDays: deps.table.tombstoneTtlDays,
    };
    try {
      const { result } = await applyDeletionToCompletion(() => candidate.delete(context, confirmedAt));
      // Not applied: the deletion's webhook got there first.
      counts[result === 'applied' ? 'pruned' : 'skipped'] += 1;
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      counts.failed += 1;
      deps.onFailure?.({ phase: 'prune', entityId: candidate.entityId, reason: describeFailure(error) });
    }
  });
}

/** The live users and organizations Clerk's batched answers leave out, each with its direct lookup and its deletion. */
async function missingParents(deps: PruneDeps, items: readonly LiveItem[]): Promise<Candidate[]> {
  const { clerk } = deps;
  const candidates: Candidate[] = [];
  const questions: (() => Promise<void>)[] = [];
  for (const ids of chunks(items.filter((item) => item.type === 'user').map((item) => item.id))) {
    questions.push(async () => {
      const existing = await clerk.existingUserIds(ids);
      for (const userId of ids.filter((id) => !existing.has(id))) {
        candidates.push({
          entityId: userId,
          confirmGone: async () => !(await clerk.userExists(userId)),
          delete: (context, at) => applyUserDeleted(context, userId, at, at),
        });
      }
    });
  }
  for (const ids of chunks(items.filter((item) => item.type === 'organization').map((item) => item.id))) {
    questions.push(async () => {
      const existing = await clerk.existingOrganizationIds(ids);
      for (const orgId of ids.filter((id) => !existing.has(id))) {
        candidates.push({
          entityId: orgId,
          confirmGone: async () => !(await clerk.organizationExists(orgId)),
          delete: (context, at) => applyOrganizationDeleted(context, orgId, at, at),
        });
      }
    });
  }
  await mapWithConcurrency(questions, deps.concurrency, (question) => question());
  return candidates;
}

/** The live memberships Clerk no longer has under that id: asked per organization, a hundred users at a time. */
async function missingMemberships(deps: PruneDeps, items: readonly LiveItem[]): Promise<Candidate[]> {
  const { clerk } = deps;
  const byOrganization = new Map<string, LiveItem[]>();
  for (const item of items) {
    if (item.type !== 'membership' || item.orgId === undefined || item.userId === undefined) continue;
    byOrganization.set(item.orgId, [...(byOrganization.get(item.orgId) ?? []), item]);
  }
  const candidates: Candidate[] = [];
  const questions: (() => Promise<void>)[] = [];
  for (const [orgId, memberships] of byOrganization) {
    for (const group of chunks(memberships)) {
      questions.push(async () => {
        const current = await clerk.membershipsIn(orgId, group.map((membership) => membership.userId!));
        for (const membership of group.filter((item) => current?.get(item.userId!) !== item.id)) {
          const deleted = storedMembership(membership);
          if (deleted === undefined) continue;
          candidates.push({
            entityId: membership.id,
            confirmGone: async () => (await clerk.membershipsIn(orgId, [membership.userId!]))?.get(membership.userId!) !== membership.id,
            // A tombstone of the stored generation, as organizationMembership.deleted writes it.
            delete: (context, at) => applyMembershipDeleted(context, deleted, at, at),
          });
        }
      });
    }
  }
  await mapWithConcurrency(questions, deps.concurrency, (question) => question());
  return candidates;
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
