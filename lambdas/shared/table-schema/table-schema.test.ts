import { BOOKKEEPING_ATTRIBUTES, GSI1_PROJECTED_ATTRIBUTES, keys, queries, scans, TABLE_KEYS } from '.';

/**
 * The public contract (README, "The table (public contract)"), spelled out on purpose: every
 * other file builds keys and queries with this module, so this is the one place a change of
 * format shows up as a failing test.
 */
describe('table keys', () => {
  it('names the key attributes, the index and the TTL attribute', () => {
    expect(TABLE_KEYS).toEqual({ partitionKey: 'pk', sortKey: 'sk', gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }, ttlAttribute: 'ttl' });
  });

  it('builds every item key of the contract', () => {
    expect(keys.user('user_1')).toEqual({ pk: 'USER#user_1', sk: 'PROFILE' });
    expect(keys.userEmailIndex('Ada.Lovelace@Example.com', 'user_1')).toEqual({ gsi1pk: 'EMAIL#ada.lovelace@example.com', gsi1sk: 'USER#user_1' });
    expect(keys.session('user_1', 'sess_1')).toEqual({ pk: 'USER#user_1', sk: 'SESSION#sess_1' });
    expect(keys.organization('org_1')).toEqual({ pk: 'ORG#org_1', sk: 'PROFILE' });
    expect(keys.organizationSlugIndex('acme', 'org_1')).toEqual({ gsi1pk: 'SLUG#acme', gsi1sk: 'ORG#org_1' });
    expect(keys.membership('org_1', 'user_1')).toEqual({ pk: 'ORG#org_1', sk: 'MEMBER#user_1' });
    expect(keys.membershipUserIndex('user_1', 'org_1')).toEqual({ gsi1pk: 'USER#user_1', gsi1sk: 'ORG#org_1' });
  });
});

describe('partition queries', () => {
  const onTable = { '#pk': 'pk', '#sk': 'sk' };
  const onIndex = { '#pk': 'gsi1pk', '#sk': 'gsi1sk' };
  const condition = '#pk = :pk AND begins_with(#sk, :prefix)';

  it.each([
    ['a user\'s sessions', queries.userSessions('user_1'), undefined, onTable, 'USER#user_1', 'SESSION#'],
    ['an organization\'s members', queries.organizationMembers('org_1'), undefined, onTable, 'ORG#org_1', 'MEMBER#'],
    ['a user\'s organizations', queries.userOrganizations('user_1'), 'gsi1', onIndex, 'USER#user_1', 'ORG#'],
    ['the user by e-mail, case-insensitive', queries.userByEmail('Ada@Example.com'), 'gsi1', onIndex, 'EMAIL#ada@example.com', 'USER#'],
    ['the organization by slug', queries.organizationBySlug('acme'), 'gsi1', onIndex, 'SLUG#acme', 'ORG#'],
  ])('%s', (_pattern, query, indexName, names, pk, prefix) => {
    expect(query).toEqual({
      ...(indexName === undefined ? {} : { IndexName: indexName }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    });
  });
});

describe('the prune scan', () => {
  it('asks for live users, organizations and memberships created before a time, and the user tombstones its own prune wrote since', () => {
    const scan = scans.pruneCandidates(Date.UTC(2024, 5, 1), '!prune');
    expect(scan.FilterExpression).toBe(
      '(#type IN (:user, :organization, :membership) AND attribute_not_exists(#deleted) AND ' +
        '(#createdAt < :createdBefore OR (attribute_not_exists(#createdAt) AND #stubSince < :stubBefore))) OR ' +
        '(#type = :user AND #deleted = :true AND #lastEventId = :pruneEventId AND #version >= :stubBefore)',
    );
    expect(scan.ExpressionAttributeValues).toEqual({
      ':user': 'user',
      ':organization': 'organization',
      ':membership': 'membership',
      ':createdBefore': '2024-06-01T00:00:00.000Z',
      ':stubBefore': Date.UTC(2024, 5, 1),
      ':true': true,
      ':pruneEventId': '!prune',
    });
    expect(Object.values(scan.ExpressionAttributeNames).sort()).toEqual(
      ['createdAt', 'deleted', 'generation', 'id', 'lastEventId', 'orgId', 'role', 'stubSince', 'type', 'userId', 'version'],
    );
  });
});

describe('gsi1 projection', () => {
  it('holds the public attributes the index serves, never lastSeenAt nor bookkeeping', () => {
    expect([...GSI1_PROJECTED_ATTRIBUTES].sort()).toEqual(
      ['type', 'id', 'email', 'firstName', 'lastName', 'username', 'imageUrl', 'externalId', 'createdAt', 'updatedAt',
        'lastSignInAt', 'emailVerified', 'name', 'slug', 'createdBy', 'orgId', 'userId', 'role', 'permissions'].sort(),
    );
    for (const excluded of ['lastSeenAt', 'deleted', 'deletedAt', ...BOOKKEEPING_ATTRIBUTES]) {
      expect(GSI1_PROJECTED_ATTRIBUTES).not.toContain(excluded);
    }
  });
});
