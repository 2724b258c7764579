import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTable } from '../../local/create-resources';
import {
  keys,
  type MembershipItem,
  type MembershipTombstone,
  type OrganizationItem,
  type OrganizationTombstone,
  type SessionItem,
  type TableItem,
  type UserItem,
  type UserTombstone,
} from '../../lambdas/shared/table-schema';
import { localDocumentClient, localDynamoDb, uniqueName } from '../support/local-clients';
import { ClerkSyncReader, InvalidCursorError } from '../../client/clerk-sync-reader';

/** The read module against DynamoDB Local, on items shaped as table-schema defines them. */

const dynamoDb = localDynamoDb();
const documentClient = localDocumentClient(dynamoDb);
const tableName = uniqueName('reader');
const reader = new ClerkSyncReader(documentClient, tableName);

const bookkeeping = { version: 1_717_000_000_000, lastEventId: 'msg_1' };

const ada: UserItem = {
  ...keys.user('user_ada'),
  ...keys.userEmailIndex('Ada@Example.com', 'user_ada'),
  type: 'user',
  id: 'user_ada',
  email: 'Ada@Example.com',
  emailVerified: true,
  firstName: 'Ada',
  lastName: 'Lovelace',
  createdAt: '2024-05-29T16:26:40.000Z',
  updatedAt: '2024-05-29T16:26:40.000Z',
  memberOrgIds: new Set(['org_acme', 'org_beta']),
  ...bookkeeping,
};
const goneUser: UserTombstone = {
  ...keys.user('user_gone'),
  type: 'user',
  id: 'user_gone',
  deleted: true,
  deletedAt: '2024-06-01T00:00:00.000Z',
  ttl: 1_720_000_000,
  ...bookkeeping,
};
const sessions: SessionItem[] = ['sess_1', 'sess_2', 'sess_3'].map((id, index) => ({
  ...keys.session('user_ada', id),
  type: 'session',
  id,
  userId: 'user_ada',
  status: index === 0 ? 'ended' : 'active',
  createdAt: '2024-05-29T16:26:40.000Z',
  ...(index === 0 ? { endedAt: '2024-05-30T00:00:00.000Z' } : {}),
  ...bookkeeping,
}));
const acme: OrganizationItem = {
  ...keys.organization('org_acme'),
  ...keys.organizationSlugIndex('acme', 'org_acme'),
  type: 'organization',
  id: 'org_acme',
  name: 'Acme',
  slug: 'acme',
  createdBy: 'user_ada',
  ...bookkeeping,
};
const closedOrg: OrganizationTombstone = {
  ...keys.organization('org_closed'),
  type: 'organization',
  id: 'org_closed',
  deleted: true,
  deletedAt: '2024-06-01T00:00:00.000Z',
  ...bookkeeping,
};
function membership(orgId: string, userId: string, role = 'org:member'): MembershipItem {
  return {
    ...keys.membership(orgId, userId),
    ...keys.membershipUserIndex(userId, orgId),
    type: 'membership',
    id: `orgmem_${orgId}_${userId}`,
    orgId,
    userId,
    role,
    permissions: ['org:sys_memberships:read'],
    generation: `000001717000000000#orgmem_${orgId}_${userId}`,
    ...bookkeeping,
  };
}
const acmeMembers = ['user_ada', 'user_b', 'user_c', 'user_d', 'user_e'].map((userId) => membership('org_acme', userId));
const removedMember: MembershipTombstone = {
  ...keys.membership('org_acme', 'user_left'),
  type: 'membership',
  id: 'orgmem_left',
  orgId: 'org_acme',
  userId: 'user_left',
  deleted: true,
  deletedAt: '2024-06-01T00:00:00.000Z',
  ...bookkeeping,
};
const betaMembership = membership('org_beta', 'user_ada', 'org:admin');

const allItems: TableItem[] = [ada, goneUser, ...sessions, acme, closedOrg, ...acmeMembers, removedMember, betaMembership];

beforeAll(async () => {
  await createTable(dynamoDb, tableName);
  for (let start = 0; start < allItems.length; start += 25) {
    await documentClient.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: allItems.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
});

const STORAGE = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'version', 'lastEventId', 'generation', 'ttl', 'memberOrgIds'];

function expectNoStorageAttributes(item: object | undefined): void {
  expect(item).toBeDefined();
  for (const name of STORAGE) expect(item).not.toHaveProperty(name);
}

describe('ClerkSyncReader', () => {
  it('reads a user by id without keys or bookkeeping', async () => {
    const user = await reader.getUser('user_ada');
    expect(user).toEqual({
      type: 'user',
      id: 'user_ada',
      email: 'Ada@Example.com',
      emailVerified: true,
      firstName: 'Ada',
      lastName: 'Lovelace',
      createdAt: '2024-05-29T16:26:40.000Z',
      updatedAt: '2024-05-29T16:26:40.000Z',
    });
    expect(await reader.getUser('user_unknown')).toBeUndefined();
  });

  it('hides a deleted user unless includeDeleted is set', async () => {
    expect(await reader.getUser('user_gone')).toBeUndefined();
    const tombstone = await reader.getUser('user_gone', { includeDeleted: true, consistentRead: true });
    expect(tombstone).toEqual({ type: 'user', id: 'user_gone', deleted: true, deletedAt: '2024-06-01T00:00:00.000Z' });
  });

  it('finds a user by primary email, whatever its case, in one Query: everything the index projects, no lastSeenAt', async () => {
    const seen = { ...ada, lastSeenAt: '2024-06-02T00:00:00.000Z' };
    await documentClient.send(new PutCommand({ TableName: tableName, Item: seen }));
    const { lastSeenAt, ...withoutLastSeen } = (await reader.getUser('user_ada', { consistentRead: true }))!;
    expect(lastSeenAt).toBe('2024-06-02T00:00:00.000Z');
    // gsi1 is eventually consistent: DynamoDB Local answers at once, AWS within a fraction of a second.
    // emailVerified included: a service finding a user by email can tell whether that address is proven.
    expect(await reader.getUserByEmail('ada@example.com')).toEqual(withoutLastSeen);
    expect(withoutLastSeen.emailVerified).toBe(true);
    expect((await reader.getUserByEmail('ada@example.com'))?.id).toBe('user_ada');
    expect((await reader.getUserByEmail('ADA@EXAMPLE.COM'))?.id).toBe('user_ada');
    expectNoStorageAttributes(await reader.getUserByEmail('ada@example.com'));
    expect(await reader.getUserByEmail('nobody@example.com')).toBeUndefined();
  });

  it("lists a user's sessions", async () => {
    const listed = await reader.listSessions('user_ada');
    expect(listed.map((session) => [session.id, session.status])).toEqual([
      ['sess_1', 'ended'],
      ['sess_2', 'active'],
      ['sess_3', 'active'],
    ]);
    listed.forEach(expectNoStorageAttributes);
    expect(listed[0]).toEqual({
      type: 'session',
      id: 'sess_1',
      userId: 'user_ada',
      status: 'ended',
      createdAt: '2024-05-29T16:26:40.000Z',
      endedAt: '2024-05-30T00:00:00.000Z',
    });
  });

  it('reads an organization by id and by slug, and hides a deleted one unless asked', async () => {
    const byId = await reader.getOrganization('org_acme');
    expect(byId).toEqual({ type: 'organization', id: 'org_acme', name: 'Acme', slug: 'acme', createdBy: 'user_ada' });
    expect(await reader.getOrganizationBySlug('acme')).toEqual(byId);
    expect(await reader.getOrganizationBySlug('nope')).toBeUndefined();
    expect(await reader.getOrganization('org_closed')).toBeUndefined();
    expect(await reader.getOrganization('org_closed', { includeDeleted: true })).toEqual({
      type: 'organization',
      id: 'org_closed',
      deleted: true,
      deletedAt: '2024-06-01T00:00:00.000Z',
    });
  });

  it("lists an organization's members, removed ones only with includeDeleted", async () => {
    const members = await reader.listOrganizationMembers('org_acme');
    expect(members.map((member) => member.userId)).toEqual(['user_ada', 'user_b', 'user_c', 'user_d', 'user_e']);
    members.forEach(expectNoStorageAttributes);
    expect(members[0]).toEqual({
      type: 'membership',
      id: 'orgmem_org_acme_user_ada',
      orgId: 'org_acme',
      userId: 'user_ada',
      role: 'org:member',
      permissions: ['org:sys_memberships:read'],
    });

    const withRemoved = await reader.listOrganizationMembers('org_acme', { includeDeleted: true });
    expect(withRemoved).toHaveLength(6);
    expect(withRemoved).toContainEqual({
      type: 'membership',
      id: 'orgmem_left',
      orgId: 'org_acme',
      userId: 'user_left',
      deleted: true,
      deletedAt: '2024-06-01T00:00:00.000Z',
    });
  });

  it("lists a user's organizations through the index", async () => {
    const memberships = await reader.listUserOrganizations('user_ada');
    expect(memberships.map((item) => [item.orgId, item.role])).toEqual([
      ['org_acme', 'org:member'],
      ['org_beta', 'org:admin'],
    ]);
    memberships.forEach(expectNoStorageAttributes);
    // Every public attribute comes through the index: the same as reading the membership itself.
    expect(memberships[0]).toEqual((await reader.listOrganizationMembers('org_acme'))[0]);
    expect(await reader.listUserOrganizations('user_left')).toEqual([]);
  });

  it('pages with an opaque cursor, and lists follow every page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await reader.pageOrganizationMembers('org_acme', { pageSize: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((member) => member.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(acmeMembers.map((member) => member.id));

    const firstSessionPage = await reader.pageSessions('user_ada', { pageSize: 2 });
    expect(firstSessionPage.items).toHaveLength(2);
    const secondSessionPage = await reader.pageSessions('user_ada', { pageSize: 2, cursor: firstSessionPage.nextCursor! });
    expect(secondSessionPage.items.map((session) => session.id)).toEqual(['sess_3']);

    await expect(reader.pageSessions('user_ada', { cursor: 'not-a-cursor' })).rejects.toThrow(InvalidCursorError);
  });
});
