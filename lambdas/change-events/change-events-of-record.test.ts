import { streamRecord, type StreamRecordInput } from '../../test/support/stream-records';
import { MalformedStreamRecordError } from '../shared/errors';
import { keys } from '../shared/table-schema';
import type { ChangeEvent } from './change-event';
import { changeEventsOf, changeIdOf } from './change-events-of-record';

/*
 * The transform on stream records shaped as the processor's writes leave them (docs/consistency.md):
 * upserts, partial users, lastSeenAt raises, membership registrations, tombstones, cascades,
 * rejoins and TTL expiry. docs/change-events.md, "Rules", is what these check.
 */

const T = 1_717_000_000_000;
/** Stream records carry their time in epoch seconds. */
const COMMITTED = 1_717_000_100;
const COMMITTED_ISO = '2024-05-29T16:28:20.000Z';

const user = {
  ...keys.user('user_2a'),
  ...keys.userEmailIndex('ada@example.com', 'user_2a'),
  type: 'user',
  id: 'user_2a',
  email: 'ada@example.com',
  firstName: 'Ada',
  username: 'ada',
  createdAt: '2024-05-29T16:26:40.000Z',
  updatedAt: '2024-05-29T16:26:40.000Z',
  lastSeenAt: '2024-05-29T16:00:00.000Z',
  memberOrgIds: new Set(['org_2a']),
  version: T,
  lastEventId: 'msg_created',
};
const userTombstone = {
  ...keys.user('user_2a'),
  type: 'user',
  id: 'user_2a',
  deleted: true,
  deletedAt: '2024-05-30T08:00:00.000Z',
  ttl: 1_719_700_000,
  memberOrgIds: new Set(['org_2a']),
  version: T + 5000,
  lastEventId: 'msg_deleted',
};
const stub = { ...keys.user('user_2a'), type: 'user', id: 'user_2a', lastSeenAt: '2024-05-29T16:00:00.000Z', stubSince: T - 60_000 };
const session = {
  ...keys.session('user_2a', 'sess_2a'),
  type: 'session',
  id: 'sess_2a',
  userId: 'user_2a',
  status: 'active',
  createdAt: '2024-05-29T16:27:00.000Z',
  expiresAt: '2024-06-05T16:27:00.000Z',
  version: T + 1000,
  lastEventId: 'msg_session',
};
const membership = (id: string, patch: Record<string, unknown> = {}) => ({
  ...keys.membership('org_2a', 'user_2a'),
  ...keys.membershipUserIndex('user_2a', 'org_2a'),
  type: 'membership',
  id,
  orgId: 'org_2a',
  userId: 'user_2a',
  role: 'org:member',
  permissions: ['org:sys_profile:read'],
  createdAt: '2024-05-29T16:28:00.000Z',
  updatedAt: '2024-05-29T16:28:00.000Z',
  generation: `000${T + 2000}#${id}`,
  version: T + 2000,
  lastEventId: `msg_${id}`,
  ...patch,
});
const membershipTombstone = (id: string, version = T + 3000) => ({
  ...keys.membership('org_2a', 'user_2a'),
  type: 'membership',
  id,
  orgId: 'org_2a',
  userId: 'user_2a',
  deleted: true,
  deletedAt: '2024-05-29T16:30:00.000Z',
  generation: `000${T + 2000}#${id}`,
  ttl: 1_719_700_000,
  version,
  lastEventId: `msg_${id}_deleted`,
});

let sequence = 0;
function eventsOf(input: Omit<StreamRecordInput, 'sequenceNumber'>): ChangeEvent[] {
  sequence += 1;
  return changeEventsOf(streamRecord({ approximateCreationDateTime: COMMITTED, ...input, sequenceNumber: String(sequence) }));
}
const modify = (oldImage: Record<string, unknown>, newImage: Record<string, unknown>) => eventsOf({ eventName: 'MODIFY', oldImage, newImage });
const insert = (newImage: Record<string, unknown>) => eventsOf({ eventName: 'INSERT', newImage });
const remove = (oldImage: Record<string, unknown>, removedByTtl = false) => eventsOf({ eventName: 'REMOVE', oldImage, removedByTtl });

/** The public fields of the user above, as the table contract names them, without lastSeenAt. */
const userItem = {
  type: 'user',
  id: 'user_2a',
  email: 'ada@example.com',
  firstName: 'Ada',
  username: 'ada',
  createdAt: '2024-05-29T16:26:40.000Z',
  updatedAt: '2024-05-29T16:26:40.000Z',
};

describe('users', () => {
  it('a user event on a new item is user.created: public fields only, its version and svix id, the commit time', () => {
    expect(insert(user)).toEqual([
      {
        detailType: 'user.created',
        detail: {
          entity: 'user',
          change: 'created',
          id: 'user_2a',
          version: T,
          changeId: changeIdOf({ entity: 'user', id: 'user_2a', version: T, lastEventId: 'msg_created' }, 'created'),
          svixId: 'msg_created',
          item: userItem,
        },
        time: COMMITTED_ISO,
      },
    ]);
  });

  it('a partial user (written by a session or membership first) is no user yet; the user event completing it is user.created', () => {
    expect(insert(stub)).toEqual([]);
    expect(modify(stub, { ...stub, lastSeenAt: '2024-05-29T17:00:00.000Z', memberOrgIds: new Set(['org_2a']) })).toEqual([]);
    // The completed profile keeps the stub's bookkeeping (stubSince), which stays out of the event.
    expect(modify(stub, { ...user, stubSince: stub.stubSince }).map(({ detailType, detail }) => [detailType, detail.item])).toEqual([['user.created', userItem]]);
  });

  it('a changed profile is user.updated with the names of the fields that changed, removed ones included', () => {
    const { username: _removed, ...withoutUsername } = user;
    const updated = { ...withoutUsername, firstName: 'Augusta', updatedAt: '2024-05-29T16:30:00.000Z', version: T + 9000, lastEventId: 'msg_updated' };
    const [event, ...rest] = modify(user, updated);
    expect(rest).toEqual([]);
    expect(event!.detailType).toBe('user.updated');
    expect(event!.detail).toMatchObject({ version: T + 9000, svixId: 'msg_updated', changedFields: ['firstName', 'updatedAt', 'username'] });
    expect(event!.detail.item).not.toHaveProperty('username');
    expect(event!.detail.item).toMatchObject({ firstName: 'Augusta' });
  });

  it('raising lastSeenAt, registering a membership or touching bookkeeping alone emits nothing', () => {
    expect(modify(user, { ...user, lastSeenAt: '2024-05-30T00:00:00.000Z' })).toEqual([]);
    expect(modify(user, { ...user, memberOrgIds: new Set(['org_2a', 'org_2b']) })).toEqual([]);
    // Another event with the same profile (a tie on version won by a greater svix id): nothing public changed.
    expect(modify(user, { ...user, version: T + 1, lastEventId: 'msg_other' })).toEqual([]);
    // DynamoDB writes no stream record for a write that changes nothing; a record that did would emit nothing.
    expect(modify(user, user)).toEqual([]);
  });

  it('the tombstone is user.deleted with ids only, whether the user was live, partial or never seen', () => {
    const deleted = {
      detailType: 'user.deleted',
      detail: {
        entity: 'user',
        change: 'deleted',
        id: 'user_2a',
        version: T + 5000,
        changeId: changeIdOf({ entity: 'user', id: 'user_2a', version: T + 5000, lastEventId: 'msg_deleted' }, 'deleted'),
        svixId: 'msg_deleted',
        item: { type: 'user', id: 'user_2a', deleted: true, deletedAt: '2024-05-30T08:00:00.000Z' },
      },
      time: COMMITTED_ISO,
    };
    expect(modify(user, userTombstone)).toEqual([deleted]);
    expect(modify(stub, userTombstone)).toEqual([deleted]);
    expect(insert(userTombstone)).toEqual([deleted]);
  });

  it('the cascade finishing on the tombstone, and the tombstone expiring by TTL, emit nothing', () => {
    const { memberOrgIds: _gone, ...forgotten } = userTombstone;
    expect(modify(userTombstone, forgotten)).toEqual([]);
    expect(remove(forgotten, true)).toEqual([]);
    expect(remove(forgotten)).toEqual([]);
  });
});

describe('sessions', () => {
  it('created, then updated when it ends', () => {
    expect(insert(session).map(({ detailType, detail }) => [detailType, detail.item])).toEqual([
      ['session.created', { type: 'session', id: 'sess_2a', userId: 'user_2a', status: 'active', createdAt: session.createdAt, expiresAt: session.expiresAt }],
    ]);
    const ended = { ...session, status: 'revoked', endedAt: '2024-05-29T18:00:00.000Z', version: T + 4000, lastEventId: 'msg_revoked' };
    expect(modify(session, ended).map(({ detailType, detail }) => [detailType, detail.changedFields])).toEqual([['session.updated', ['endedAt', 'status']]]);
  });

  it('a session first stored as ended (its end delivered before its start) is created as it was stored', () => {
    const ended = { ...session, status: 'ended', endedAt: '2024-05-29T18:00:00.000Z' };
    expect(insert(ended).map(({ detailType, detail }) => [detailType, detail.item.status])).toEqual([['session.created', 'ended']]);
  });

  it('removed by its user\'s deletion: session.deleted with the ids, and neither svix id nor deletedAt (the event\'s time says when)', () => {
    const [event, ...rest] = remove(session);
    expect(rest).toEqual([]);
    expect(event).toEqual({
      detailType: 'session.deleted',
      detail: {
        entity: 'session',
        change: 'deleted',
        id: 'sess_2a',
        version: T + 1000,
        changeId: changeIdOf({ entity: 'session', id: 'sess_2a', version: T + 1000, lastEventId: 'msg_session' }, 'deleted'),
        item: { type: 'session', id: 'sess_2a', userId: 'user_2a', deleted: true },
      },
      time: COMMITTED_ISO,
    });
  });
});

describe('memberships', () => {
  const kinds = (events: ChangeEvent[]) => events.map(({ detailType, detail }) => `${detailType} ${detail.id} ${detail.svixId ?? '-'}`);

  it('created, updated on a new role, deleted by its tombstone with ids only', () => {
    expect(kinds(insert(membership('orgmem_a')))).toEqual(['membership.created orgmem_a msg_orgmem_a']);
    const promoted = membership('orgmem_a', { role: 'org:admin', version: T + 2500, lastEventId: 'msg_promoted' });
    const [updated] = modify(membership('orgmem_a'), promoted);
    expect(updated!.detail).toMatchObject({ change: 'updated', changedFields: ['role'], item: { role: 'org:admin' } });
    const [deleted, ...rest] = modify(promoted, membershipTombstone('orgmem_a'));
    expect(rest).toEqual([]);
    expect(deleted!.detail.item).toEqual({ type: 'membership', id: 'orgmem_a', orgId: 'org_2a', userId: 'user_2a', deleted: true, deletedAt: '2024-05-29T16:30:00.000Z' });
  });

  it('a rejoin replacing a live membership deletes the old id (like a cascade: no svix id) and creates the new one', () => {
    expect(kinds(modify(membership('orgmem_a'), membership('orgmem_b')))).toEqual([
      'membership.deleted orgmem_a -',
      'membership.created orgmem_b msg_orgmem_b',
    ]);
  });

  it('a rejoin replacing a tombstone only creates: the old deletion was emitted with its tombstone', () => {
    expect(kinds(modify(membershipTombstone('orgmem_a'), membership('orgmem_b')))).toEqual(['membership.created orgmem_b msg_orgmem_b']);
  });

  it('a newer membership\'s deletion arriving first replaces the old one: both are deleted', () => {
    expect(kinds(modify(membership('orgmem_a'), membershipTombstone('orgmem_b')))).toEqual([
      'membership.deleted orgmem_a -',
      'membership.deleted orgmem_b msg_orgmem_b_deleted',
    ]);
    expect(kinds(modify(membershipTombstone('orgmem_a'), membershipTombstone('orgmem_b')))).toEqual(['membership.deleted orgmem_b msg_orgmem_b_deleted']);
    expect(kinds(insert(membershipTombstone('orgmem_a')))).toEqual(['membership.deleted orgmem_a msg_orgmem_a_deleted']);
  });

  it('removed by a cascade: deleted if it was live, nothing if it was a tombstone already', () => {
    expect(kinds(remove(membership('orgmem_a')))).toEqual(['membership.deleted orgmem_a -']);
    // The same removal, replaced by a rejoin or by a cascade: the same event.
    expect(remove(membership('orgmem_a'))[0]).toEqual(modify(membership('orgmem_a'), membership('orgmem_b'))[0]);
    expect(remove(membershipTombstone('orgmem_a'))).toEqual([]);
    expect(remove(membershipTombstone('orgmem_a'), true)).toEqual([]);
  });
});

describe('organizations', () => {
  const organization = {
    ...keys.organization('org_2a'),
    ...keys.organizationSlugIndex('acme', 'org_2a'),
    type: 'organization',
    id: 'org_2a',
    name: 'Acme',
    slug: 'acme',
    version: T,
    lastEventId: 'msg_org',
  };

  it('created, updated, deleted', () => {
    expect(insert(organization)[0]!.detail.item).toEqual({ type: 'organization', id: 'org_2a', name: 'Acme', slug: 'acme' });
    const { slug: _cleared, gsi1pk: _pk, gsi1sk: _sk, ...renamed } = { ...organization, name: 'Acme Inc', version: T + 1, lastEventId: 'msg_renamed' };
    expect(modify(organization, renamed)[0]!.detail.changedFields).toEqual(['name', 'slug']);
    const tombstone = { ...keys.organization('org_2a'), type: 'organization', id: 'org_2a', deleted: true, deletedAt: '2024-06-01T00:00:00.000Z', ttl: 1, version: T + 2, lastEventId: 'msg_org_deleted' };
    expect(modify(renamed, tombstone).map(({ detailType, detail }) => [detailType, detail.item])).toEqual([
      ['organization.deleted', { type: 'organization', id: 'org_2a', deleted: true, deletedAt: '2024-06-01T00:00:00.000Z' }],
    ]);
  });
});

describe('svixId', () => {
  it('is left out for states a backfill wrote (event ids starting with "!"), and for deletions by cascade', () => {
    const snapshot = { ...user, lastEventId: '!snapshot' };
    expect(insert(snapshot)[0]!.detail).not.toHaveProperty('svixId');
    expect(modify(user, { ...userTombstone, lastEventId: '!prune' })[0]!.detail).not.toHaveProperty('svixId');
  });
});

describe('changeId', () => {
  it('is the same for the same record, redelivered or replayed, and differs between changes', () => {
    const record = streamRecord({ eventName: 'MODIFY', oldImage: membership('orgmem_a'), newImage: membership('orgmem_b'), sequenceNumber: '42' });
    const first = changeEventsOf(record).map(({ detail }) => detail.changeId);
    expect(changeEventsOf(structuredClone(record)).map(({ detail }) => detail.changeId)).toEqual(first);
    expect(new Set(first).size).toBe(2);

    const ids = [
      changeIdOf({ entity: 'user', id: 'user_2a', version: T, lastEventId: 'msg_1' }, 'created'),
      changeIdOf({ entity: 'user', id: 'user_2a', version: T, lastEventId: 'msg_1' }, 'updated'),
      changeIdOf({ entity: 'user', id: 'user_2a', version: T, lastEventId: 'msg_1' }, 'deleted'),
      changeIdOf({ entity: 'user', id: 'user_2a', version: T + 1, lastEventId: 'msg_1' }, 'created'),
      changeIdOf({ entity: 'user', id: 'user_2a', version: T, lastEventId: 'msg_2' }, 'created'),
      changeIdOf({ entity: 'user', id: 'user_2b', version: T, lastEventId: 'msg_1' }, 'created'),
      changeIdOf({ entity: 'organization', id: 'user_2a', version: T, lastEventId: 'msg_1' }, 'created'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('records that are not entity changes', () => {
  it('emits nothing for items of another kind', () => {
    expect(insert({ pk: 'OTHER#1', sk: 'X', type: 'something', id: 'x', version: T })).toEqual([]);
    expect(insert({ pk: 'OTHER#1', sk: 'X' })).toEqual([]);
  });

  it('fails a record without old and new images: the event source retries it, then it goes to the failure queue', () => {
    expect(() => changeEventsOf({ eventName: 'INSERT', eventID: 'e1' })).toThrow(MalformedStreamRecordError);
    const keysOnly = streamRecord({ eventName: 'MODIFY', keys: { pk: 'USER#x', sk: 'PROFILE' }, sequenceNumber: '1' });
    expect(() => changeEventsOf({ ...keysOnly, dynamodb: { ...keysOnly.dynamodb, StreamViewType: 'KEYS_ONLY' } })).toThrow(/NEW_AND_OLD_IMAGES/);
  });
});
