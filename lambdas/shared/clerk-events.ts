/**
 * The Clerk webhook payloads this project models, typed as a discriminated union on `type`.
 *
 * Only the fields the table needs are declared; Clerk adds fields over time and every
 * payload may carry more. Optional fields are optional because Clerk omits or nulls them
 * depending on the instance's settings (no username, no image, no external id...).
 */

/** Epoch milliseconds, as Clerk sends `created_at` / `updated_at`. */
export type EpochMillis = number;

export interface ClerkEmailAddress {
  readonly id: string;
  readonly email_address: string;
  /** `status` is `verified` once the owner proved the address is theirs (`unverified`, `expired`… before). */
  readonly verification?: { readonly status?: string | null } | null;
}

export interface ClerkUser {
  readonly id: string;
  readonly object?: 'user';
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly username?: string | null;
  readonly image_url?: string | null;
  readonly external_id?: string | null;
  readonly email_addresses?: readonly ClerkEmailAddress[];
  readonly primary_email_address_id?: string | null;
  readonly created_at?: EpochMillis;
  readonly updated_at?: EpochMillis;
  readonly last_sign_in_at?: EpochMillis | null;
}

/** `user.deleted` and `organization.deleted` carry almost nothing. */
export interface ClerkDeletedObject {
  readonly id: string;
  readonly object?: string;
  readonly deleted: true;
  readonly external_id?: string | null;
}

export type ClerkSessionStatus = 'active' | 'ended' | 'removed' | 'revoked';

export interface ClerkSession {
  readonly id: string;
  readonly object?: 'session';
  readonly user_id: string;
  readonly status: string;
  readonly client_id?: string;
  readonly created_at?: EpochMillis;
  readonly updated_at?: EpochMillis;
  readonly expire_at?: EpochMillis | null;
  readonly last_active_at?: EpochMillis | null;
}

export interface ClerkOrganization {
  readonly id: string;
  readonly object?: 'organization';
  readonly name?: string | null;
  readonly slug?: string | null;
  readonly image_url?: string | null;
  readonly created_by?: string | null;
  readonly created_at?: EpochMillis;
  readonly updated_at?: EpochMillis;
}

export interface ClerkOrganizationMembership {
  readonly id: string;
  readonly object?: 'organization_membership';
  readonly role: string;
  readonly permissions?: readonly string[];
  readonly created_at?: EpochMillis;
  readonly updated_at?: EpochMillis;
  readonly organization: { readonly id: string } & Partial<Pick<ClerkOrganization, 'name' | 'slug'>>;
  readonly public_user_data: { readonly user_id: string };
}

interface EnvelopeBase<T extends string, D> {
  readonly type: T;
  readonly data: D;
  readonly object: 'event';
  /** Documented as milliseconds, seen as seconds in examples: normalise with `toEpochMillis`. */
  readonly timestamp?: number;
  readonly instance_id?: string;
}

export type UserUpsertEvent = EnvelopeBase<'user.created' | 'user.updated', ClerkUser>;
export type UserDeletedEvent = EnvelopeBase<'user.deleted', ClerkDeletedObject>;
export type SessionCreatedEvent = EnvelopeBase<'session.created', ClerkSession>;
export type SessionEndEvent = EnvelopeBase<'session.ended' | 'session.removed' | 'session.revoked', ClerkSession>;
export type OrganizationUpsertEvent = EnvelopeBase<'organization.created' | 'organization.updated', ClerkOrganization>;
export type OrganizationDeletedEvent = EnvelopeBase<'organization.deleted', ClerkDeletedObject>;
export type MembershipUpsertEvent = EnvelopeBase<
  'organizationMembership.created' | 'organizationMembership.updated',
  ClerkOrganizationMembership
>;
export type MembershipDeletedEvent = EnvelopeBase<'organizationMembership.deleted', ClerkOrganizationMembership>;

/** Every event this project applies to the table. */
export type ModelledClerkEvent =
  | UserUpsertEvent
  | UserDeletedEvent
  | SessionCreatedEvent
  | SessionEndEvent
  | OrganizationUpsertEvent
  | OrganizationDeletedEvent
  | MembershipUpsertEvent
  | MembershipDeletedEvent;

export type ModelledEventType = ModelledClerkEvent['type'];

export const MODELLED_EVENT_TYPES: readonly ModelledEventType[] = [
  'user.created',
  'user.updated',
  'user.deleted',
  'session.created',
  'session.ended',
  'session.removed',
  'session.revoked',
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'organizationMembership.created',
  'organizationMembership.updated',
  'organizationMembership.deleted',
];

export function isModelledEventType(type: string): type is ModelledEventType {
  return (MODELLED_EVENT_TYPES as readonly string[]).includes(type);
}

/** Any well-formed envelope, modelled or not (Clerk sends about 45 types). */
export interface ClerkEventEnvelope {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly object: string;
  readonly timestamp?: number;
  readonly instance_id?: string;
}

/**
 * Clerk documents the envelope timestamp in milliseconds but its examples show seconds.
 * Anything below 1e12 cannot be a millisecond time after 2001, so it is seconds.
 */
export function toEpochMillis(value: number): EpochMillis {
  return value < 1e12 ? Math.round(value * 1000) : Math.round(value);
}
