import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { clerkEnvelope, sampleMembership, sampleOrganization, sampleUser } from '../../lambdas/shared/sample-events';

/** One webhook of a history: its svix id and its envelope (test/support/random-history.ts uses the same shape). */
export interface SeededEvent {
  readonly svixId: string;
  readonly event: ClerkEventEnvelope;
}

export interface SeedOptions {
  readonly users: number;
  readonly organizations: number;
  /** Each user joins this many organizations (round robin). */
  readonly membershipsPerUser?: number;
  /** Ids carry it, so seeds with different tags never share an entity. */
  readonly tag?: string;
  /** Epoch ms of the first event. @default 1_717_000_000_000 */
  readonly startAt?: number;
  /** Users created in the same millisecond, as a bulk import makes them. @default 1 */
  readonly usersPerMillisecond?: number;
}

/**
 * A plain history of an instance that grew: users created (and every third one updated later),
 * organizations created, memberships created. `ClerkStore.after(history)` is what Clerk's API
 * returns for it; delivering it in order is what the webhooks would have made of it.
 */
export function seededHistory(options: SeedOptions): SeededEvent[] {
  const tag = options.tag ?? 'seed';
  const perMs = options.usersPerMillisecond ?? 1;
  let clock = options.startAt ?? 1_717_000_000_000;
  let counter = 0;
  const events: SeededEvent[] = [];
  const emit = (type: string, data: Record<string, unknown>, at: number): void => {
    counter += 1;
    events.push({ svixId: `msg_${tag}${String(counter).padStart(7, '0')}`, event: clerkEnvelope(type, data, at) });
  };
  const userIds = Array.from({ length: options.users }, (_, index) => `user_2${tag}U${String(index).padStart(6, '0')}`);
  const orgIds = Array.from({ length: options.organizations }, (_, index) => `org_2${tag}O${String(index).padStart(5, '0')}`);
  const emails = userIds.map((_, index) => `Seed.User${index}.${tag}@Example.com`);
  const created = new Map<string, number>();

  userIds.forEach((userId, index) => {
    if (index % perMs === 0) clock += 1;
    created.set(userId, clock);
    emit('user.created', sampleUser({ userId, email: emails[index], at: clock }), clock);
  });
  orgIds.forEach((orgId, index) => {
    clock += 1;
    created.set(orgId, clock);
    emit('organization.created', sampleOrganization({ orgId, userId: userIds[index % Math.max(1, userIds.length)], at: clock }), clock);
  });
  const perUser = orgIds.length === 0 ? 0 : Math.min(options.membershipsPerUser ?? 1, orgIds.length);
  userIds.forEach((userId, index) => {
    for (let join = 0; join < perUser; join += 1) {
      clock += 1;
      const orgId = orgIds[(index + join) % orgIds.length]!;
      const membershipId = `orgmem_2${tag}M${String(index).padStart(6, '0')}x${join}`;
      const role = (index + join) % 5 === 0 ? 'org:admin' : 'org:member';
      emit(
        'organizationMembership.created',
        sampleMembership({ membershipId, userId, orgId, email: emails[index], at: clock, createdAt: clock }, role),
        clock,
      );
    }
  });
  userIds.forEach((userId, index) => {
    if (index % 3 !== 0) return;
    clock += 1;
    emit('user.updated', { ...sampleUser({ userId, email: emails[index], at: clock, createdAt: created.get(userId)! }), first_name: `Renamed${index}` }, clock);
  });
  return events;
}
