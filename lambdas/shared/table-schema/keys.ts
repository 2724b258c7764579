/**
 * The table's keys: attribute names, the prefixes of key values and the builders of every
 * item's keys. Nothing else in the project spells a key; the format is the public contract
 * (README, "The table (public contract)"), pinned by table-schema.test.ts.
 */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;

/** What key values start with: the kind of entity and `#`, then its Clerk id (or the lower-case e-mail, the slug). */
export const KEY_PREFIX = {
  user: 'USER#',
  organization: 'ORG#',
  session: 'SESSION#',
  member: 'MEMBER#',
  email: 'EMAIL#',
  slug: 'SLUG#',
} as const;

/** The sort key of a user's or an organization's own item, next to its sessions or members. */
export const PROFILE_SORT_KEY = 'PROFILE';

/** The primary key of one item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

const userPk = (userId: string) => `${KEY_PREFIX.user}${userId}`;
const organizationPk = (orgId: string) => `${KEY_PREFIX.organization}${orgId}`;

/** gsi1 partitions: a user by primary e-mail (case-insensitive), an organization by slug, a user's memberships. */
export const gsi1PartitionKeys = {
  email: (email: string) => `${KEY_PREFIX.email}${email.toLowerCase()}`,
  slug: (slug: string) => `${KEY_PREFIX.slug}${slug}`,
  userMemberships: userPk,
} as const;

export const keys = {
  user: (userId: string): ItemKey => ({ pk: userPk(userId), sk: PROFILE_SORT_KEY }),
  userEmailIndex: (email: string, userId: string) => ({ gsi1pk: gsi1PartitionKeys.email(email), gsi1sk: userPk(userId) }),
  session: (userId: string, sessionId: string): ItemKey => ({ pk: userPk(userId), sk: `${KEY_PREFIX.session}${sessionId}` }),
  organization: (orgId: string): ItemKey => ({ pk: organizationPk(orgId), sk: PROFILE_SORT_KEY }),
  organizationSlugIndex: (slug: string, orgId: string) => ({ gsi1pk: gsi1PartitionKeys.slug(slug), gsi1sk: organizationPk(orgId) }),
  membership: (orgId: string, userId: string): ItemKey => ({ pk: organizationPk(orgId), sk: `${KEY_PREFIX.member}${userId}` }),
  membershipUserIndex: (userId: string, orgId: string) => ({
    gsi1pk: gsi1PartitionKeys.userMemberships(userId),
    gsi1sk: organizationPk(orgId),
  }),
} as const;
