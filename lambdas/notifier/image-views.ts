import { EMAIL_VERIFIED_ATTRIBUTE, KEY_PREFIX, keys, PROFILE_SORT_KEY } from '../shared/table-schema';
import type { Image } from './stream-change';

/*
 * Typed views of the two kinds of sync-table item a mail can follow from. Anything else
 * (sessions, organizations, items of a shape this code does not know) reads as `undefined`.
 */

export interface UserView {
  readonly userId: string;
  readonly deleted: boolean;
  /** Present once a user event has been applied; partial items written by sessions or memberships lack it. */
  readonly version?: number;
  readonly createdAt?: string;
  /** The primary address is verified (`emailVerified`); false when unverified, absent, or written before the attribute existed. */
  readonly emailVerified: boolean;
}

export interface MembershipView {
  readonly membershipId: string;
  readonly orgId: string;
  readonly userId: string;
  readonly deleted: boolean;
  readonly role?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

export function userView(image: Image | undefined): UserView | undefined {
  if (image === undefined || image.type !== 'user' || image.sk !== PROFILE_SORT_KEY) return undefined;
  const userId = stringOf(image.id);
  if (userId === undefined || image.pk !== keys.user(userId).pk) return undefined;
  return {
    userId,
    deleted: image.deleted === true,
    ...optional('version', typeof image.version === 'number' ? image.version : undefined),
    ...optional('createdAt', stringOf(image.createdAt)),
    emailVerified: image[EMAIL_VERIFIED_ATTRIBUTE] === true && stringOf(image.email) !== undefined,
  };
}

export function membershipView(image: Image | undefined): MembershipView | undefined {
  if (image === undefined || image.type !== 'membership' || !String(image.sk).startsWith(KEY_PREFIX.member)) {
    return undefined;
  }
  const membershipId = stringOf(image.id);
  const orgId = stringOf(image.orgId);
  const userId = stringOf(image.userId);
  if (membershipId === undefined || orgId === undefined || userId === undefined) return undefined;
  return {
    membershipId,
    orgId,
    userId,
    deleted: image.deleted === true,
    ...optional('role', stringOf(image.role)),
    ...optional('createdAt', stringOf(image.createdAt)),
    ...optional('updatedAt', stringOf(image.updatedAt)),
  };
}

/** A user the notifier may welcome: synced by a user event, not deleted, with a verified primary address. */
export function isWelcomeable(user: UserView | undefined): boolean {
  return user !== undefined && !user.deleted && user.version !== undefined && user.emailVerified;
}

export function isAdminMembership(membership: MembershipView | undefined, adminRoles: readonly string[]): boolean {
  return (
    membership !== undefined && !membership.deleted && membership.role !== undefined && adminRoles.includes(membership.role)
  );
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
