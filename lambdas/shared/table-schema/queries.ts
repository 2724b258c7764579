import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { gsi1PartitionKeys, KEY_PREFIX, keys, TABLE_KEYS } from './keys';

/**
 * The key condition of one access pattern, to spread into a QueryCommand (or paginateQuery)
 * with the table name and whatever the caller adds: paging, consistency, a projection.
 */
export type KeyQuery = Required<Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>> &
  Pick<QueryCommandInput, 'IndexName'>;

const PARTITION_AND_PREFIX = '#pk = :pk AND begins_with(#sk, :prefix)';

/** The items of one base-table partition whose sort key starts with `prefix`; strongly consistent reads are possible. */
function partition(pk: string, prefix: string): KeyQuery {
  return {
    KeyConditionExpression: PARTITION_AND_PREFIX,
    ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
  };
}

/** The same on gsi1: eventually consistent, tombstones are never in it (they carry no gsi1 keys). */
function gsi1(gsi1pk: string, prefix: string): KeyQuery {
  return {
    IndexName: TABLE_KEYS.gsi1.indexName,
    KeyConditionExpression: PARTITION_AND_PREFIX,
    ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1.partitionKey, '#sk': TABLE_KEYS.gsi1.sortKey },
    ExpressionAttributeValues: { ':pk': gsi1pk, ':prefix': prefix },
  };
}

/** The table's partition queries: the access patterns of the public contract that read more than one key. */
export const queries = {
  /** A user's sessions, live and ended (base table). */
  userSessions: (userId: string): KeyQuery => partition(keys.user(userId).pk, KEY_PREFIX.session),
  /** An organization's memberships, tombstones included (base table). */
  organizationMembers: (orgId: string): KeyQuery => partition(keys.organization(orgId).pk, KEY_PREFIX.member),
  /** A user's current memberships, one per organization (gsi1). */
  userOrganizations: (userId: string): KeyQuery => gsi1(gsi1PartitionKeys.userMemberships(userId), KEY_PREFIX.organization),
  /** The user whose primary e-mail this is, case-insensitive (gsi1). */
  userByEmail: (email: string): KeyQuery => gsi1(gsi1PartitionKeys.email(email), KEY_PREFIX.user),
  /** The organization with this slug (gsi1). */
  organizationBySlug: (slug: string): KeyQuery => gsi1(gsi1PartitionKeys.slug(slug), KEY_PREFIX.organization),
} as const;
