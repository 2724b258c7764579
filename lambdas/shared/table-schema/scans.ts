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
const LIVE_ENTITY_ATTRIBUTES = ['type', 'id', 'orgId', 'userId', 'role', 'generation', 'createdAt', 'deleted'] as const;

export const scans = {
  /**
   * Live users, organizations and memberships created before `createdBeforeMs`: what a prune asks
   * Clerk about. A partial profile (no `createdAt`: the user's own events never came) counts from
   * when a session or membership first wrote it. Sessions and tombstones are left out, but for the
   * user tombstones this sweep's prune wrote (`lastEventId` `pruneEventId`, version from
   * `createdBeforeMs` on): a page read again after a failure finishes their cascades, which
   * nothing else would reach (a user's sessions are not scanned). ISO-8601 UTC strings of one
   * format compare in time order.
   */
  pruneCandidates: (createdBeforeMs: number, pruneEventId: string): ScanFilter => ({
    FilterExpression:
      '(#type IN (:user, :organization, :membership) AND attribute_not_exists(#deleted) AND ' +
      '(#createdAt < :createdBefore OR (attribute_not_exists(#createdAt) AND #stubSince < :stubBefore))) OR ' +
      '(#type = :user AND #deleted = :true AND #lastEventId = :pruneEventId AND #version >= :stubBefore)',
    ProjectionExpression: LIVE_ENTITY_ATTRIBUTES.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: {
      ...Object.fromEntries(LIVE_ENTITY_ATTRIBUTES.map((name) => [`#${name}`, name])),
      '#stubSince': STUB_SINCE_ATTRIBUTE,
      '#lastEventId': 'lastEventId',
      '#version': 'version',
    },
    ExpressionAttributeValues: {
      ':user': 'user',
      ':organization': 'organization',
      ':membership': 'membership',
      ':createdBefore': isoFromMillis(createdBeforeMs),
      ':stubBefore': createdBeforeMs,
      ':true': true,
      ':pruneEventId': pruneEventId,
    },
  }),
} as const;
