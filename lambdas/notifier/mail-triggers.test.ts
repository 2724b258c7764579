import { streamRecord } from '../../test/support/stream-records';
import { keys } from '../shared/table-schema';
import { isOlderThan, mailTriggersFor, type TriggerConfig } from './mail-triggers';
import { NOTIFIER_DEFAULTS } from './notifier-config';
import { decodeStreamRecord } from './stream-change';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const config: TriggerConfig = { adminRoles: NOTIFIER_DEFAULTS.adminRoles, welcomeMaxAgeDays: 7 };

type Item = Record<string, unknown>;

/** Items as the processor writes them (lambdas/processor). */
const partialUser = (userId = 'user_2a'): Item => ({
  ...keys.user(userId),
  type: 'user',
  id: userId,
  lastSeenAt: iso(NOW - 1_000),
});
const user = (overrides: Item = {}, userId = 'user_2a'): Item => ({
  ...partialUser(userId),
  email: 'ada@example.com',
  emailVerified: true,
  firstName: 'Ada',
  createdAt: iso(NOW - DAY),
  updatedAt: iso(NOW - DAY),
  version: NOW - DAY,
  lastEventId: 'msg_1',
  ...overrides,
});
const userTombstone = (userId = 'user_2a'): Item => ({
  ...keys.user(userId),
  type: 'user',
  id: userId,
  deleted: true,
  deletedAt: iso(NOW - 500),
  version: NOW - 500,
  ttl: 1_720_000_000,
});
const membership = (overrides: Item = {}): Item => ({
  ...keys.membership('org_2o', 'user_2a'),
  ...keys.membershipUserIndex('user_2a', 'org_2o'),
  type: 'membership',
  id: 'orgmem_2m1',
  orgId: 'org_2o',
  userId: 'user_2a',
  role: 'org:admin',
  permissions: ['org:sys_memberships:manage'],
  createdAt: iso(NOW - DAY),
  updatedAt: iso(NOW - DAY),
  generation: '000001716000000000#orgmem_2m1',
  version: NOW - DAY,
  ...overrides,
});
const membershipTombstone = (overrides: Item = {}): Item => ({
  ...keys.membership('org_2o', 'user_2a'),
  type: 'membership',
  id: 'orgmem_2m1',
  orgId: 'org_2o',
  userId: 'user_2a',
  deleted: true,
  deletedAt: iso(NOW - 500),
  generation: '000001716000000000#orgmem_2m1',
  ...overrides,
});

let sequence = 0;
function triggers(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', newImage?: Item, oldImage?: Item, options: TriggerConfig = config) {
  const record = streamRecord({
    eventName,
    ...(newImage === undefined ? {} : { newImage }),
    ...(oldImage === undefined ? {} : { oldImage }),
    ...(newImage === undefined && oldImage === undefined ? { keys: { pk: 'x', sk: 'y' } } : {}),
    sequenceNumber: String((sequence += 1)),
  });
  const change = decodeStreamRecord(record);
  return change === undefined ? [] : mailTriggersFor(change, options, NOW);
}

const welcome = { kind: 'welcome', userId: 'user_2a', backfill: false };
const adminWelcome = { kind: 'admin-welcome', userId: 'user_2a', orgId: 'org_2o', membershipId: 'orgmem_2m1', backfill: false };

describe('welcome trigger', () => {
  it('fires when a user item is inserted with a version (user.created first)', () => {
    expect(triggers('INSERT', user())).toEqual([welcome]);
  });

  it('fires when a partial user item (session or membership first) gets its version', () => {
    expect(triggers('MODIFY', user(), partialUser())).toEqual([welcome]);
    expect(triggers('MODIFY', user(), { ...partialUser(), memberOrgIds: new Set(['org_2o']) })).toEqual([welcome]);
  });

  it('does not fire for a partial user item without a version', () => {
    expect(triggers('INSERT', partialUser())).toEqual([]);
    expect(triggers('MODIFY', { ...partialUser(), lastSeenAt: iso(NOW) }, partialUser())).toEqual([]);
  });

  it('does not fire for later changes of a user that was already welcome-able', () => {
    expect(triggers('MODIFY', user({ firstName: 'Augusta', version: NOW }), user())).toEqual([]);
    expect(triggers('MODIFY', user({ memberOrgIds: new Set(['org_2o']) }), user())).toEqual([]);
  });

  it('does not fire when a sign-in raises lastSeenAt', () => {
    expect(triggers('MODIFY', user({ lastSeenAt: iso(NOW) }), user())).toEqual([]);
  });

  it('does not fire for a user whose primary address is not verified, nor when it stops being verified', () => {
    expect(triggers('INSERT', user({ emailVerified: false }))).toEqual([]);
    expect(triggers('MODIFY', user({ emailVerified: false }), partialUser())).toEqual([]);
    expect(triggers('MODIFY', user({ emailVerified: false, version: NOW }), user())).toEqual([]);
    expect(triggers('MODIFY', user({ emailVerified: false, lastSeenAt: iso(NOW) }), user({ emailVerified: false }))).toEqual([]);
    // emailVerified without an email cannot be trusted to mean anything.
    const { email: _email, ...withoutEmail } = user();
    expect(triggers('INSERT', withoutEmail)).toEqual([]);
  });

  it('fires when the primary address becomes verified later, and again after it was unverified in between (the ledger sends once)', () => {
    expect(triggers('MODIFY', user({ version: NOW }), user({ emailVerified: false }))).toEqual([welcome]);
    expect(triggers('MODIFY', user({ email: 'new@example.com', version: NOW }), user({ email: 'old@example.com', emailVerified: false }))).toEqual([welcome]);
  });

  it('fires for a user synced before the table recorded verification, once an update says the address is verified', () => {
    const { emailVerified: _emailVerified, ...beforeUpgrade } = user();
    expect(triggers('MODIFY', user({ version: NOW }), beforeUpgrade)).toEqual([welcome]);
    // Such a user is usually older than welcomeMaxAgeDays: a backfill, no mail.
    const { emailVerified: _again, ...oldBeforeUpgrade } = user({ createdAt: iso(NOW - 30 * DAY) });
    expect(triggers('MODIFY', user({ createdAt: iso(NOW - 30 * DAY), version: NOW }), oldBeforeUpgrade)).toEqual([{ ...welcome, backfill: true }]);
  });

  it('judges the backfill by the account\'s age when its address is first seen verified', () => {
    const createdLongAgo = iso(NOW - 8 * DAY);
    expect(triggers('MODIFY', user({ createdAt: createdLongAgo, version: NOW }), user({ createdAt: createdLongAgo, emailVerified: false }))).toEqual([
      { ...welcome, backfill: true },
    ]);
  });

  it('does not fire for tombstones, whether the user was synced or only partial before', () => {
    expect(triggers('MODIFY', userTombstone(), user())).toEqual([]);
    expect(triggers('MODIFY', userTombstone(), partialUser())).toEqual([]);
    expect(triggers('INSERT', userTombstone())).toEqual([]);
  });

  it('ignores REMOVE records (tombstones expiring through TTL)', () => {
    expect(triggers('REMOVE', undefined, userTombstone())).toEqual([]);
    expect(triggers('REMOVE', undefined, user())).toEqual([]);
  });

  it('marks a user created longer ago than welcomeMaxAgeDays as a backfill', () => {
    const old = user({ createdAt: iso(NOW - 7 * DAY - 1), updatedAt: iso(NOW) });
    expect(triggers('INSERT', old)).toEqual([{ ...welcome, backfill: true }]);
    expect(triggers('INSERT', user({ createdAt: iso(NOW - 7 * DAY) }))).toEqual([welcome]);
    expect(triggers('INSERT', old, undefined, { ...config, welcomeMaxAgeDays: 30 })).toEqual([welcome]);
  });

  it('does not take a missing or unreadable createdAt for a backfill', () => {
    const { createdAt: _createdAt, ...withoutCreatedAt } = user();
    expect(triggers('INSERT', withoutCreatedAt)).toEqual([welcome]);
    expect(triggers('INSERT', user({ createdAt: 'not a date' }))).toEqual([welcome]);
  });

  it('ignores items of other types and shapes', () => {
    const session = { ...keys.session('user_2a', 'sess_1'), type: 'session', id: 'sess_1', userId: 'user_2a', status: 'active', version: NOW };
    const organization = { ...keys.organization('org_2o'), type: 'organization', id: 'org_2o', name: 'Acme', version: NOW };
    expect(triggers('INSERT', session)).toEqual([]);
    expect(triggers('INSERT', organization)).toEqual([]);
    // A user-typed item whose key is not the user's profile is not a user.
    expect(triggers('INSERT', user({ sk: keys.session('user_2a', 'x').sk }))).toEqual([]);
    expect(triggers('INSERT', user({ pk: keys.user('someone_else').pk }))).toEqual([]);
  });
});

describe('admin welcome trigger', () => {
  it('fires for a new membership with an admin role', () => {
    expect(triggers('INSERT', membership())).toEqual([adminWelcome]);
    expect(triggers('INSERT', membership({ role: 'admin' }))).toEqual([adminWelcome]);
  });

  it('does not fire for a new membership with another role', () => {
    expect(triggers('INSERT', membership({ role: 'org:member' }))).toEqual([]);
  });

  it('fires on a promotion of the same membership to an admin role', () => {
    expect(triggers('MODIFY', membership({ updatedAt: iso(NOW) }), membership({ role: 'org:member' }))).toEqual([adminWelcome]);
  });

  it('does not fire on a demotion, nor on other changes of an admin membership', () => {
    expect(triggers('MODIFY', membership({ role: 'org:member' }), membership())).toEqual([]);
    expect(triggers('MODIFY', membership({ permissions: [], updatedAt: iso(NOW) }), membership())).toEqual([]);
    // Moving between two admin roles is not a new admin.
    expect(triggers('MODIFY', membership({ role: 'admin' }), membership())).toEqual([]);
  });

  it('fires for a rejoin: a new membership id replacing an old admin membership or its tombstone', () => {
    const rejoin = membership({ id: 'orgmem_2m2', generation: '000001717000000000#orgmem_2m2' });
    const rejoined = { ...adminWelcome, membershipId: 'orgmem_2m2' };
    expect(triggers('MODIFY', rejoin, membership())).toEqual([rejoined]);
    expect(triggers('MODIFY', rejoin, membershipTombstone())).toEqual([rejoined]);
  });

  it('does not fire for a tombstone (membership deleted)', () => {
    expect(triggers('MODIFY', membershipTombstone(), membership())).toEqual([]);
    expect(triggers('INSERT', membershipTombstone())).toEqual([]);
    expect(triggers('REMOVE', undefined, membership())).toEqual([]);
  });

  it('uses the configured admin roles', () => {
    const custom = { ...config, adminRoles: ['org:owner'] };
    expect(triggers('INSERT', membership(), undefined, custom)).toEqual([]);
    expect(triggers('INSERT', membership({ role: 'org:owner' }), undefined, custom)).toEqual([adminWelcome]);
    expect(triggers('MODIFY', membership({ role: 'org:owner' }), membership(), custom)).toEqual([adminWelcome]);
  });

  it('marks a membership last changed longer ago than welcomeMaxAgeDays as a backfill, by updatedAt, else createdAt', () => {
    const longAgo = iso(NOW - 8 * DAY);
    expect(triggers('INSERT', membership({ createdAt: longAgo, updatedAt: longAgo }))).toEqual([{ ...adminWelcome, backfill: true }]);
    // Joined long ago, promoted today: news.
    expect(triggers('MODIFY', membership({ createdAt: longAgo, updatedAt: iso(NOW) }), membership({ role: 'org:member', createdAt: longAgo }))).toEqual([
      adminWelcome,
    ]);
    const { updatedAt: _updatedAt, ...withoutUpdatedAt } = membership({ createdAt: longAgo });
    expect(triggers('INSERT', withoutUpdatedAt)).toEqual([{ ...adminWelcome, backfill: true }]);
  });
});

describe('isOlderThan', () => {
  it('is strictly older than the given days', () => {
    expect(isOlderThan(iso(NOW - DAY - 1), 1, NOW)).toBe(true);
    expect(isOlderThan(iso(NOW - DAY), 1, NOW)).toBe(false);
    expect(isOlderThan(undefined, 1, NOW)).toBe(false);
  });
});
