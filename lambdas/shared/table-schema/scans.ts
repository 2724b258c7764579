import type { ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { isoFromMillis, STUB_SINCE_ATTRIBUTE } from './items';

/**
 * A Scan's filter and projection, to spread into a ScanCommand with the table name and the
 * paging. Scans read the whole table; only the reconciliation's prune uses one, once a sweep.
 */
export type ScanFilter = Required<
  Pick<ScanCommandInput, 'FilterExpression' | 'ProjectionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>
>;

/** What the prune phase needs of a live item: its type, ids, membership role and generation, creation time. */
const LIVE_ENTITY_ATTRIBUTES = ['type', 'id', 'orgId', 'userId', 'role', 'generation', 'createdAt'] as const;

export const scans = {
  /**
   * Live users, organizations and memberships created before `createdBeforeMs`: what a prune asks
   * Clerk about. A partial profile (no `createdAt`: the user's own events never came) counts from
   * when a session or membership first wrote it. Tombstones and sessions are left out. ISO-8601
   * UTC strings of one format compare in time order.
   */
  liveEntitiesCreatedBefore: (createdBeforeMs: number): ScanFilter => ({
    FilterExpression:
      '#type IN (:user, :organization, :membership) AND attribute_not_exists(#deleted) AND ' +
      '(#createdAt < :createdBefore OR (attribute_not_exists(#createdAt) AND #stubSince < :stubBefore))',
    ProjectionExpression: LIVE_ENTITY_ATTRIBUTES.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: {
      ...Object.fromEntries(LIVE_ENTITY_ATTRIBUTES.map((name) => [`#${name}`, name])),
      '#deleted': 'deleted',
      '#stubSince': STUB_SINCE_ATTRIBUTE,
    },
    ExpressionAttributeValues: {
      ':user': 'user',
      ':organization': 'organization',
      ':membership': 'membership',
      ':createdBefore': isoFromMillis(createdBeforeMs),
      ':stubBefore': createdBeforeMs,
    },
  }),
} as const;
