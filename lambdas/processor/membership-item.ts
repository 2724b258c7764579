import type { ClerkOrganizationMembership, EpochMillis } from '../shared/clerk-events';
import { isoFromMillis, keys, type MembershipItem, type MembershipTombstone } from '../shared/table-schema';
import { definedOnly, optionalIso, optionalStringList, requireMillis } from './read-fields';
import type { EventStamp } from './session-item';

// 15 digits hold every epoch-ms time until the year 33658, so string order is time order.
const GENERATION_TIME_DIGITS = 15;

/**
 * Orders the memberships one user has had in one organization (leave and rejoin gives a new
 * membership id): creation time first, membership id as tie-break. Compared as strings.
 */
export function membershipGeneration(createdAt: EpochMillis, membershipId: string): string {
  return `${String(createdAt).padStart(GENERATION_TIME_DIGITS, '0')}#${membershipId}`;
}

export interface MembershipRef {
  readonly membershipId: string;
  readonly orgId: string;
  readonly userId: string;
  readonly generation: string;
}

/** Key facts of a membership payload; the parser has checked that they are present. */
export function membershipRef(membership: ClerkOrganizationMembership): MembershipRef {
  const createdAt = requireMillis(membership.created_at, 'data.created_at', 'organizationMembership');
  return {
    membershipId: membership.id,
    orgId: membership.organization.id,
    userId: membership.public_user_data.user_id,
    generation: membershipGeneration(createdAt, membership.id),
  };
}

export function membershipItem(membership: ClerkOrganizationMembership, stamp: EventStamp): MembershipItem {
  const ref = membershipRef(membership);
  return definedOnly<MembershipItem>({
    ...keys.membership(ref.orgId, ref.userId),
    ...keys.membershipUserIndex(ref.userId, ref.orgId),
    type: 'membership',
    id: ref.membershipId,
    orgId: ref.orgId,
    userId: ref.userId,
    role: membership.role,
    permissions: optionalStringList(membership.permissions),
    createdAt: optionalIso(membership.created_at),
    updatedAt: optionalIso(membership.updated_at),
    generation: ref.generation,
    version: stamp.version,
    lastEventId: stamp.lastEventId,
  });
}

/** No gsi1 keys: a removed membership must not show among a user's organizations. */
export function membershipTombstone(
  membership: ClerkOrganizationMembership,
  stamp: EventStamp,
  deletedAt: EpochMillis,
  ttl: number,
): MembershipTombstone {
  const ref = membershipRef(membership);
  return {
    ...keys.membership(ref.orgId, ref.userId),
    type: 'membership',
    id: ref.membershipId,
    orgId: ref.orgId,
    userId: ref.userId,
    deleted: true,
    deletedAt: isoFromMillis(deletedAt),
    generation: ref.generation,
    ttl,
    version: stamp.version,
    lastEventId: stamp.lastEventId,
  };
}
