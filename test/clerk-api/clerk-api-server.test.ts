import { createClerkClient } from '@clerk/backend';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { startClerkApiServer, type ClerkApiServer } from './clerk-api-server';
import { ClerkStore } from './clerk-store';
import { seededHistory } from './seeded-history';

/*
 * The local Clerk Backend API answers as Clerk's OpenAPI description says (clerk/openapi-specs,
 * bapi/2025-11-10.yml), to the real @clerk/backend SDK: shapes, pagination, filters, errors.
 */

// The `required` lists of the User, Organization and OrganizationMembership schemas of bapi/2025-11-10.yml.
const REQUIRED = {
  user: 'id object username first_name last_name has_image primary_email_address_id primary_phone_number_id primary_web3_wallet_id password_enabled two_factor_enabled totp_enabled backup_code_enabled email_addresses phone_numbers web3_wallets passkeys external_accounts saml_accounts enterprise_accounts public_metadata external_id last_sign_in_at banned locked lockout_expires_in_seconds verification_attempts_remaining created_at updated_at delete_self_enabled create_organization_enabled last_active_at mfa_enabled_at mfa_disabled_at legal_accepted_at',
  organization: 'object id name slug has_image max_allowed_memberships admin_delete_enabled public_metadata created_at updated_at',
  membership: 'object id role permissions public_metadata created_at updated_at organization',
} as const;

const KEY = 'sk_test_local';
const history = seededHistory({ users: 25, organizations: 3, membershipsPerUser: 1, tag: 'api', usersPerMillisecond: 3 });
let server: ClerkApiServer;
let clerk: ReturnType<typeof createClerkClient>;

beforeAll(async () => {
  server = await startClerkApiServer({ store: ClerkStore.after(history), secretKey: KEY });
  clerk = createClerkClient({ secretKey: KEY, apiUrl: server.url });
});
afterAll(async () => {
  await server.close();
});

it('serves users, organizations and memberships with every field the schemas require', async () => {
  const users = await clerk.users.getUserList({ limit: 500 });
  const organizations = await clerk.organizations.getOrganizationList({ limit: 500 });
  const memberships = await clerk.organizations.getInstanceOrganizationMembershipList({ limit: 500 });
  expect([users.totalCount, organizations.totalCount, memberships.totalCount]).toEqual([25, 3, 25]);
  for (const [resources, required] of [
    [users.data, REQUIRED.user],
    [organizations.data, REQUIRED.organization],
    [memberships.data, REQUIRED.membership],
  ] as const) {
    for (const resource of resources) expect(Object.keys(resource.raw!)).toEqual(expect.arrayContaining(required.split(' ')));
  }
  // The SDK reads them as its own resources.
  expect(users.data[0]!.emailAddresses.length).toBeGreaterThan(0);
  expect(memberships.data[0]!.publicUserData?.userId).toMatch(/^user_/);
});

it('pages with limit, offset and order_by, newest first by default; filters by id and creation time', async () => {
  const all = (await clerk.users.getUserList({ limit: 500, orderBy: '+created_at' })).data.map((user) => user.id);
  const pages = [];
  for (let offset = 0; offset < 25; offset += 10) pages.push(...(await clerk.users.getUserList({ limit: 10, offset, orderBy: '+created_at' })).data.map((user) => user.id));
  expect(pages).toEqual(all);
  expect((await clerk.users.getUserList({ limit: 500 })).data.map((user) => user.id)).toEqual(
    [...all].sort((a, b) => {
      const created = (id: string) => server.store.users.get(id)!.created_at as number;
      return created(b) - created(a) || (a < b ? -1 : 1);
    }),
  );
  const firstCreated = server.store.users.get(all[0]!)!.created_at as number;
  const later = await clerk.users.getUserList({ limit: 500, createdAtAfter: firstCreated });
  expect(later.totalCount).toBe(later.data.length);
  expect(later.data.every((user) => user.createdAt > firstCreated)).toBe(true);
  expect((await clerk.users.getUserList({ userId: [all[3]!, 'user_missing'], limit: 100 })).data.map((user) => user.id)).toEqual([all[3]]);
  const orgId = [...server.store.organizations.keys()][1]!;
  expect((await clerk.organizations.getOrganizationList({ organizationId: [orgId, 'org_missing'], limit: 100 })).data.map((o) => o.id)).toEqual([orgId]);
  const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: orgId, limit: 100 });
  expect(members.data.length).toBeGreaterThan(0);
  const oneMember = members.data[0]!.publicUserData!.userId;
  expect((await clerk.organizations.getOrganizationMembershipList({ organizationId: orgId, userId: [oneMember], limit: 100 })).totalCount).toBe(1);
});

it('answers 404 with Clerk\'s error body for what is not there, 422 for a limit out of range, 401 for a wrong key', async () => {
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { status?: number; errors?: { code: string }[] }) => [error.status, error.errors?.[0]?.code]);
  expect(await failure(clerk.users.getUser('user_missing'))).toEqual([404, 'resource_not_found']);
  expect(await failure(clerk.organizations.getOrganization({ organizationId: 'org_missing' }))).toEqual([404, 'resource_not_found']);
  expect(await failure(clerk.organizations.getOrganizationMembershipList({ organizationId: 'org_missing' }))).toEqual([404, 'resource_not_found']);
  expect(await failure(clerk.users.getUserList({ limit: 501 }))).toEqual([422, 'form_param_value_invalid']);
  expect(await failure(createClerkClient({ secretKey: 'sk_test_other', apiUrl: server.url }).users.getUser('user_x'))).toEqual([401, 'authentication_invalid']);
  const raw = await fetch(`${server.url}/v1/users/user_missing`, { headers: { authorization: `Bearer ${KEY}` } });
  expect(await raw.json()).toEqual({
    errors: [{ message: 'not found', long_message: 'Resource not found', code: 'resource_not_found' }],
    clerk_trace_id: expect.any(String),
  });
});

it('injects a 429 with Retry-After, a 5xx and a dropped connection, one request each, and 500s at a rate', async () => {
  server.injectFaults({ status: 429, retryAfterSeconds: 7 }, { status: 503 }, { drop: true });
  const outcome = async () => clerk.users.getUser([...server.store.users.keys()][0]!).then(() => 'ok', (error: { status?: number; retryAfter?: number }) => [error.status, error.retryAfter]);
  expect(await outcome()).toEqual([429, 7]);
  expect(await outcome()).toEqual([503, undefined]);
  expect(await outcome()).toEqual([undefined, undefined]);
  expect(await outcome()).toBe('ok');
  server.setServerErrorRate(1);
  expect(await outcome()).toEqual([500, undefined]);
  server.setServerErrorRate(0);
});

it('changes as the webhooks say Clerk changed: deletions take the memberships with them', () => {
  const store = ClerkStore.after(history);
  const userId = [...store.users.keys()][0]!;
  store.apply(sampleEvent('user.deleted', { userId }));
  expect(store.users.has(userId)).toBe(false);
  expect([...store.memberships.values()].some((membership) => (membership.public_user_data as { user_id: string }).user_id === userId)).toBe(false);
});
