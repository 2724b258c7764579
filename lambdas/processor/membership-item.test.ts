import type { ClerkOrganizationMembership } from '../shared/clerk-events';
import { sampleMembership } from '../shared/sample-events';
import { keys } from '../shared/table-schema';
import { membershipGeneration, membershipItem, membershipTombstone } from './membership-item';

const membership = (patch: Record<string, unknown> = {}) =>
  ({
    ...sampleMembership({ membershipId: 'orgmem_1', orgId: 'org_1', userId: 'user_1', at: 1_717_000_005_000, createdAt: 1_717_000_000_000 }, 'org:member'),
    ...patch,
  }) as unknown as ClerkOrganizationMembership;

describe('membershipGeneration', () => {
  it('orders by creation time as strings, whatever the number of digits', () => {
    expect(membershipGeneration(999, 'orgmem_z') < membershipGeneration(1000, 'orgmem_a')).toBe(true);
    expect(membershipGeneration(1_717_000_000_000, 'orgmem_b') > membershipGeneration(1_717_000_000_000, 'orgmem_a')).toBe(true);
  });
});

describe('membershipItem', () => {
  it('holds role, permissions, times and the "user\'s organizations" index entry', () => {
    expect(membershipItem(membership(), { version: 1_717_000_005_000, lastEventId: 'msg_1' })).toEqual({
      ...keys.membership('org_1', 'user_1'),
      ...keys.membershipUserIndex('user_1', 'org_1'),
      type: 'membership',
      id: 'orgmem_1',
      orgId: 'org_1',
      userId: 'user_1',
      role: 'org:member',
      permissions: ['org:sys_memberships:read'],
      createdAt: '2024-05-29T16:26:40.000Z',
      updatedAt: '2024-05-29T16:26:45.000Z',
      generation: '001717000000000#orgmem_1',
      version: 1_717_000_005_000,
      lastEventId: 'msg_1',
    });
  });

  it('leaves permissions out when Clerk sends none, keeps an empty list when it sends one', () => {
    const stamp = { version: 1, lastEventId: 'msg_1' };
    expect(membershipItem(membership({ permissions: null }), stamp)).not.toHaveProperty('permissions');
    expect(membershipItem(membership({ permissions: [] }), stamp).permissions).toEqual([]);
  });
});

describe('membershipTombstone', () => {
  it('has no index entry and no role, and keeps its generation', () => {
    const tombstone = membershipTombstone(membership(), { version: 5, lastEventId: 'msg_2' }, 1_717_000_009_000, 99);
    expect(tombstone).toEqual({
      ...keys.membership('org_1', 'user_1'),
      type: 'membership',
      id: 'orgmem_1',
      orgId: 'org_1',
      userId: 'user_1',
      deleted: true,
      deletedAt: '2024-05-29T16:26:49.000Z',
      generation: '001717000000000#orgmem_1',
      ttl: 99,
      version: 5,
      lastEventId: 'msg_2',
    });
  });
});
