/**
 * The one module that owns the table's keys and item shapes (SPEC §6). The CDK table
 * construct, the local pipeline, the processor and the read module all take names from here.
 */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;

export const keys = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  userEmailIndex: (email: string, userId: string) => ({
    gsi1pk: `EMAIL#${email.toLowerCase()}`,
    gsi1sk: `USER#${userId}`,
  }),
  session: (userId: string, sessionId: string) => ({ pk: `USER#${userId}`, sk: `SESSION#${sessionId}` }),
  organization: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'PROFILE' }),
  organizationSlugIndex: (slug: string, orgId: string) => ({ gsi1pk: `SLUG#${slug}`, gsi1sk: `ORG#${orgId}` }),
  membership: (orgId: string, userId: string) => ({ pk: `ORG#${orgId}`, sk: `MEMBER#${userId}` }),
  membershipUserIndex: (userId: string, orgId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: `ORG#${orgId}` }),
} as const;

export const SORT_KEY_PREFIX = {
  profile: 'PROFILE',
  session: 'SESSION#',
  member: 'MEMBER#',
} as const;

export const GSI1_PREFIX = {
  email: 'EMAIL#',
  slug: 'SLUG#',
  user: 'USER#',
  org: 'ORG#',
} as const;

/**
 * Attributes the processor keeps for ordering and idempotency. They are not part of the
 * public contract, and the correctness property (SPEC §5) ignores them.
 */
export interface Bookkeeping {
  /** Ordering version, epoch ms: `updated_at`, else the envelope timestamp. */
  readonly version?: number;
  /** Svix id of the event that wrote this state; breaks version ties and tells duplicates from stale events. */
  readonly lastEventId?: string;
  /** TTL (epoch seconds), on tombstones only. */
  readonly ttl?: number;
}

export const BOOKKEEPING_ATTRIBUTES = ['version', 'lastEventId', 'generation', 'ttl', 'memberOrgIds'] as const;

/**
 * On the user profile: the ids of every organization the user has had a membership item in.
 * The membership processor adds to it with a write conditioned on the user not being deleted,
 * so a user deletion finds every membership with strongly consistent reads (the gsi1 index
 * is only eventually consistent). Removed once the deletion's cascade completes.
 */
export const MEMBER_ORG_IDS_ATTRIBUTE = 'memberOrgIds';

interface ItemKeys {
  readonly pk: string;
  readonly sk: string;
}

export type SessionStatus = 'active' | 'ended' | 'removed' | 'revoked';
export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = ['ended', 'removed', 'revoked'];

export interface UserItem extends ItemKeys, Bookkeeping {
  readonly type: 'user';
  readonly id: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly username?: string;
  readonly imageUrl?: string;
  readonly externalId?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly lastSignInAt?: string;
  readonly lastSeenAt?: string;
  readonly gsi1pk?: string;
  readonly gsi1sk?: string;
  readonly memberOrgIds?: ReadonlySet<string>;
}

export interface UserTombstone extends ItemKeys, Bookkeeping {
  readonly type: 'user';
  readonly id: string;
  readonly deleted: true;
  readonly deletedAt: string;
  readonly memberOrgIds?: ReadonlySet<string>;
}

export interface SessionItem extends ItemKeys, Bookkeeping {
  readonly type: 'session';
  readonly id: string;
  readonly userId: string;
  readonly status: SessionStatus;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly endedAt?: string;
}

export interface OrganizationItem extends ItemKeys, Bookkeeping {
  readonly type: 'organization';
  readonly id: string;
  readonly name?: string;
  readonly slug?: string;
  readonly imageUrl?: string;
  readonly createdBy?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly gsi1pk?: string;
  readonly gsi1sk?: string;
}

export interface OrganizationTombstone extends ItemKeys, Bookkeeping {
  readonly type: 'organization';
  readonly id: string;
  readonly deleted: true;
  readonly deletedAt: string;
}

export interface MembershipItem extends ItemKeys, Bookkeeping {
  readonly type: 'membership';
  /** Membership id: a user who leaves and rejoins an organization gets a new one. */
  readonly id: string;
  readonly orgId: string;
  readonly userId: string;
  readonly role: string;
  readonly permissions?: readonly string[];
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly gsi1pk?: string;
  readonly gsi1sk?: string;
  /** Orders memberships of one user in one organization: `<createdAt ms, zero-padded>#<membership id>`. */
  readonly generation?: string;
}

export interface MembershipTombstone extends ItemKeys, Bookkeeping {
  readonly type: 'membership';
  readonly id: string;
  readonly deleted: true;
  readonly deletedAt: string;
  readonly generation?: string;
  readonly orgId?: string;
  readonly userId?: string;
}

export type TableItem =
  | UserItem
  | UserTombstone
  | SessionItem
  | OrganizationItem
  | OrganizationTombstone
  | MembershipItem
  | MembershipTombstone;

export function isTombstone(item: { readonly deleted?: unknown }): boolean {
  return item.deleted === true;
}

/** ISO-8601 UTC from epoch ms, the table's time format. */
export function isoFromMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Days a tombstone outlives its deletion before DynamoDB's TTL may remove it: far beyond
 * Svix's ~28 h retry schedule. Lambda code reads it from here, not from lib/pipeline-defaults,
 * which imports aws-cdk-lib and would put the whole CDK library into the function bundle.
 */
export const DEFAULT_TOMBSTONE_TTL_DAYS = 30;
