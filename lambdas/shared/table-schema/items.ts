/** The table's items as the processor writes them and readers find them (README, "The table (public contract)"). */
import { type ItemKey, TABLE_KEYS } from './keys';

/**
 * Attributes the processor keeps for ordering and idempotency. They are not part of the
 * public contract, and the correctness property (README, "Correctness"; docs/consistency.md) ignores them.
 */
export interface Bookkeeping {
  /** Ordering version, epoch ms: `updated_at`, else the envelope timestamp. */
  readonly version?: number;
  /** Svix id of the event that wrote this state; breaks version ties and tells duplicates from stale events. */
  readonly lastEventId?: string;
  /** TTL (epoch seconds), on tombstones only. */
  readonly ttl?: number;
}

/** Every bookkeeping attribute, on whichever items carry it: readers strip them. */
export const BOOKKEEPING_ATTRIBUTES = ['version', 'lastEventId', 'generation', 'ttl', 'memberOrgIds', 'stubSince'] as const;

/**
 * Every attribute that is not one of an item's public fields (docs/table.md): where the item is
 * stored (its keys, its index keys) and the bookkeeping. The reader and the change events strip them.
 */
export const STORAGE_ATTRIBUTES = [
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  TABLE_KEYS.gsi1.partitionKey,
  TABLE_KEYS.gsi1.sortKey,
  ...BOOKKEEPING_ATTRIBUTES,
] as const;

/**
 * On the user profile: the ids of every organization the user has had a membership item in.
 * The membership processor adds to it with a write conditioned on the user not being deleted,
 * so a user deletion finds every membership with strongly consistent reads (the gsi1 index
 * is only eventually consistent). Removed once the deletion's cascade completes.
 */
export const MEMBER_ORG_IDS_ATTRIBUTE = 'memberOrgIds';

/**
 * On the user profile, with `email` (set and removed with it): whether Clerk reports the primary
 * address verified. Public (docs/table.md); the notifier mails only a verified address.
 */
export const EMAIL_VERIFIED_ATTRIBUTE = 'emailVerified' satisfies keyof UserItem;

/**
 * On the user profile: when a session or membership event first wrote it (epoch ms, the
 * processor's clock), which makes a partial profile when the user's own events have not come.
 * A partial profile has no `createdAt`; this says it existed before a reconciliation sweep
 * started, so that the sweep may prune it once Clerk confirms the user is gone.
 */
export const STUB_SINCE_ATTRIBUTE = 'stubSince';

/** A user's profile attributes: what a user event owns (each set when present, removed when absent). */
export const USER_PROFILE_ATTRIBUTES = [
  'email',
  'firstName',
  'lastName',
  'username',
  'imageUrl',
  'externalId',
  'createdAt',
  'updatedAt',
  'lastSignInAt',
] as const satisfies readonly (keyof UserItem)[];

/**
 * What gsi1 holds of an item besides the keys (`pk`, `sk`, `gsi1pk`, `gsi1sk`, always projected):
 * the public attributes of the items it indexes (users, organizations, memberships), which is
 * what "user by email", "organization by slug" and "a user's organizations" return in one Query.
 * Left out on purpose: `lastSeenAt`, which every sign-in raises, and the bookkeeping attributes,
 * which every delivery may touch. A write that changes only those never rewrites the index entry.
 */
export const GSI1_PROJECTED_ATTRIBUTES = [
  'type',
  'id',
  ...USER_PROFILE_ATTRIBUTES,
  EMAIL_VERIFIED_ATTRIBUTE,
  'name',
  'slug',
  'createdBy',
  'orgId',
  'userId',
  'role',
  'permissions',
] as const satisfies readonly (keyof UserItem | keyof OrganizationItem | keyof MembershipItem)[];
export type Gsi1ProjectedAttribute = (typeof GSI1_PROJECTED_ATTRIBUTES)[number];

export type SessionStatus = 'active' | 'ended' | 'removed' | 'revoked';
export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = ['ended', 'removed', 'revoked'];

export interface UserItem extends ItemKey, Bookkeeping {
  readonly type: 'user';
  readonly id: string;
  readonly email?: string;
  /** Present with `email`: true once Clerk reports the primary address verified. Only such an address gets mail. */
  readonly emailVerified?: boolean;
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
  readonly stubSince?: number;
}

export interface UserTombstone extends ItemKey, Bookkeeping {
  readonly type: 'user';
  readonly id: string;
  readonly deleted: true;
  readonly deletedAt: string;
  readonly memberOrgIds?: ReadonlySet<string>;
}

export interface SessionItem extends ItemKey, Bookkeeping {
  readonly type: 'session';
  readonly id: string;
  readonly userId: string;
  readonly status: SessionStatus;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly endedAt?: string;
}

export interface OrganizationItem extends ItemKey, Bookkeeping {
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

export interface OrganizationTombstone extends ItemKey, Bookkeeping {
  readonly type: 'organization';
  readonly id: string;
  readonly deleted: true;
  readonly deletedAt: string;
}

export interface MembershipItem extends ItemKey, Bookkeeping {
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

export interface MembershipTombstone extends ItemKey, Bookkeeping {
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

