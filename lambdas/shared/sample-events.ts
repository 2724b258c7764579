import { MODELLED_EVENT_TYPES, type ClerkEventEnvelope } from './clerk-events';

/**
 * Realistic Clerk webhook payloads, shaped like the ones Clerk sends (extra fields included,
 * nulls where Clerk sends nulls), for the local pipeline's demo and for tests. Ids follow
 * Clerk's formats (user_…, sess_…, org_…, orgmem_…, idn_…).
 */

export interface SampleIds {
  readonly userId?: string;
  readonly orgId?: string;
  readonly sessionId?: string;
  readonly membershipId?: string;
  /** The user's primary email address. */
  readonly email?: string;
  /** Whether the primary address is verified (Clerk's `verification.status`); default true. */
  readonly emailVerified?: boolean;
  /** When the event happens (epoch ms): the envelope timestamp and `updated_at`. */
  readonly at?: number;
  /** When the entity was created (epoch ms); defaults to `at`. */
  readonly createdAt?: number;
}

export const SAMPLE_EVENT_TYPES: readonly string[] = [...MODELLED_EVENT_TYPES, 'email.created'];

const DEFAULTS = {
  userId: 'user_2ZdwC8QHcMx4u6aXlCD6N3YyLbH',
  orgId: 'org_2ZdwGu2PZaB9GWa9rlL0NJfDJhB',
  sessionId: 'sess_2ZdwHQcKxPM2D7d3Fn4qE9JbRt1',
  membershipId: 'orgmem_2ZdwJ0mW3Gq5yHn8sLx1Vb7Kc4P',
  email: 'Ada.Lovelace@example.com',
  /** 2024-05-29T16:26:40.000Z */
  at: 1_717_000_000_000,
} as const;

const INSTANCE_ID = 'ins_2Zdw9bKxLm3Qp7Rt1Vy5Nc8Hj2F';
const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

type Resolved = Required<SampleIds>;

function resolve(ids: SampleIds): Resolved {
  const at = ids.at ?? DEFAULTS.at;
  return {
    userId: ids.userId ?? DEFAULTS.userId,
    orgId: ids.orgId ?? DEFAULTS.orgId,
    sessionId: ids.sessionId ?? DEFAULTS.sessionId,
    membershipId: ids.membershipId ?? DEFAULTS.membershipId,
    email: ids.email ?? DEFAULTS.email,
    emailVerified: ids.emailVerified ?? true,
    at,
    createdAt: ids.createdAt ?? at,
  };
}

/** A Clerk event envelope of `type` with realistic data; ids and times from `ids`. */
export function sampleEvent(type: string, ids: SampleIds = {}): ClerkEventEnvelope {
  const r = resolve(ids);
  return clerkEnvelope(type, sampleData(type, r), r.at);
}

/** Clerk's envelope around `data`. */
export function clerkEnvelope(type: string, data: Record<string, unknown>, at: number): ClerkEventEnvelope {
  const envelope: ClerkEventEnvelope & { readonly event_attributes: Record<string, unknown> } = {
    data,
    event_attributes: {
      http_request: {
        client_ip: '192.0.2.10',
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      },
    },
    instance_id: INSTANCE_ID,
    object: 'event',
    timestamp: at,
    type,
  };
  return envelope;
}

/** The same event with some data fields replaced (null clears a field the way Clerk does). */
export function withData(event: ClerkEventEnvelope, patch: Record<string, unknown>): ClerkEventEnvelope {
  return { ...event, data: { ...event.data, ...patch } };
}

function sampleData(type: string, r: Resolved): Record<string, unknown> {
  switch (type) {
    case 'user.created':
    case 'user.updated':
      return sampleUser(r);
    case 'user.deleted':
      return { deleted: true, id: r.userId, object: 'user' };
    case 'session.created':
      return sampleSession(r, 'active');
    case 'session.ended':
      return sampleSession(r, 'ended');
    case 'session.removed':
      return sampleSession(r, 'removed');
    case 'session.revoked':
      return sampleSession(r, 'revoked');
    case 'organization.created':
    case 'organization.updated':
      return sampleOrganization(r);
    case 'organization.deleted':
      return { deleted: true, id: r.orgId, object: 'organization' };
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
    case 'organizationMembership.deleted':
      return sampleMembership(r);
    case 'email.created':
      return sampleEmail(r);
    default:
      return { id: `obj_${r.at.toString(36)}`, object: type.split('.')[0] };
  }
}

/** A stable fake id in Clerk's style derived from a seed, so one address keeps one id. */
function derivedId(prefix: string, seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `${prefix}_2${hash.toString(36).padStart(7, '0')}${Buffer.from(seed).toString('hex').slice(-18)}`;
}

function nameFromEmail(email: string): { first: string; last: string } {
  const [local = 'user'] = email.split('@');
  const [first = local, last = 'Example'] = local.split(/[._-]/);
  return { first: capitalise(first), last: capitalise(last) };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function emailAddress(email: string, at: number, verified = true): Record<string, unknown> {
  return {
    created_at: at,
    email_address: email,
    id: derivedId('idn', email),
    linked_to: [],
    matches_sso_connection: false,
    object: 'email_address',
    reserved: false,
    updated_at: at,
    verification: emailVerification(verified, at),
  };
}

/** An email address's `verification` as Clerk sends it: verified, or a code sent at `at` and not entered yet. */
export function emailVerification(verified: boolean, at: number): Record<string, unknown> {
  return verified
    ? { attempts: null, expire_at: null, status: 'verified', strategy: 'email_code' }
    : { attempts: 0, expire_at: at + 10 * 60 * 1000, status: 'unverified', strategy: 'email_code' };
}

/**
 * A user as Clerk sends it. The primary address is deliberately not the first entry of
 * `email_addresses`: only `primary_email_address_id` says which one is primary.
 */
export function sampleUser(ids: SampleIds = {}): Record<string, unknown> {
  const r = resolve(ids);
  const { first, last } = nameFromEmail(r.email);
  const secondary = emailAddress(`${first.toLowerCase()}.work@example.org`, r.createdAt);
  const primary = emailAddress(r.email, r.createdAt, r.emailVerified);
  const imageUrl = `https://img.clerk.com/${Buffer.from(r.userId).toString('base64url')}`;
  return {
    backup_code_enabled: false,
    banned: false,
    create_organization_enabled: true,
    created_at: r.createdAt,
    delete_self_enabled: true,
    email_addresses: [secondary, primary],
    enterprise_accounts: [],
    external_accounts: [],
    external_id: `crm-${r.userId.slice(-6)}`,
    first_name: first,
    has_image: true,
    id: r.userId,
    image_url: imageUrl,
    last_active_at: r.at,
    last_name: last,
    last_sign_in_at: r.at,
    legal_accepted_at: null,
    locked: false,
    lockout_expires_in_seconds: null,
    mfa_disabled_at: null,
    mfa_enabled_at: null,
    object: 'user',
    passkeys: [],
    password_enabled: true,
    phone_numbers: [],
    primary_email_address_id: primary.id,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    private_metadata: {},
    profile_image_url: imageUrl,
    public_metadata: {},
    saml_accounts: [],
    totp_enabled: false,
    two_factor_enabled: false,
    unsafe_metadata: {},
    updated_at: r.at,
    username: first.toLowerCase(),
    verification_attempts_remaining: 100,
    web3_wallets: [],
  };
}

export function sampleSession(ids: SampleIds = {}, status = 'active'): Record<string, unknown> {
  const r = resolve(ids);
  return {
    abandon_at: r.createdAt + 30 * 24 * 60 * 60 * 1000,
    actor: null,
    client_id: derivedId('client', r.sessionId),
    created_at: r.createdAt,
    expire_at: r.createdAt + SESSION_LIFETIME_MS,
    id: r.sessionId,
    last_active_at: r.at,
    last_active_organization_id: null,
    object: 'session',
    status,
    updated_at: r.at,
    user_id: r.userId,
  };
}

export function sampleOrganization(ids: SampleIds = {}): Record<string, unknown> {
  const r = resolve(ids);
  const slug = `acme-${r.orgId.slice(-5).toLowerCase()}`;
  return {
    admin_delete_enabled: true,
    created_at: r.createdAt,
    created_by: r.userId,
    has_image: false,
    id: r.orgId,
    image_url: `https://img.clerk.com/${Buffer.from(r.orgId).toString('base64url')}`,
    logo_url: null,
    max_allowed_memberships: 5,
    name: `Acme ${r.orgId.slice(-5)}`,
    object: 'organization',
    private_metadata: {},
    public_metadata: {},
    slug,
    updated_at: r.at,
  };
}

export function sampleMembership(ids: SampleIds = {}, role = 'org:admin'): Record<string, unknown> {
  const r = resolve(ids);
  const { first, last } = nameFromEmail(r.email);
  return {
    created_at: r.createdAt,
    id: r.membershipId,
    object: 'organization_membership',
    organization: sampleOrganization({ ...r, at: r.createdAt }),
    permissions:
      role === 'org:admin'
        ? ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage']
        : ['org:sys_memberships:read'],
    private_metadata: {},
    public_metadata: {},
    public_user_data: {
      first_name: first,
      has_image: true,
      identifier: r.email,
      image_url: `https://img.clerk.com/${Buffer.from(r.userId).toString('base64url')}`,
      last_name: last,
      profile_image_url: null,
      user_id: r.userId,
    },
    role,
    role_name: role === 'org:admin' ? 'Admin' : 'Member',
    updated_at: r.at,
  };
}

function sampleEmail(r: Resolved): Record<string, unknown> {
  return {
    body: 'Your verification code is 424242',
    data: { app: { name: 'Acme' }, otp_code: '424242' },
    delivered_by_clerk: true,
    email_address_id: derivedId('idn', r.email),
    from_email_name: 'notifications',
    id: derivedId('ema', `${r.email}${r.at}`),
    object: 'email',
    slug: 'verification_code',
    status: 'queued',
    subject: '424242 is your verification code',
    to_email_address: r.email,
    user_id: r.userId,
  };
}
