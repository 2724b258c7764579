import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { type KeyQuery, keys, queries } from '../../lambdas/shared/table-schema';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent, withData, type SampleIds } from '../../lambdas/shared/sample-events';
import { freshIds } from '../support/fresh-ids';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { sqsEventOf, sqsRecordOf, type HistoryEvent } from '../support/random-history';
import { readItem, readQuery } from '../support/table-reads';

const NOW = Date.UTC(2024, 5, 1);
const T0 = Date.UTC(2024, 4, 29);
const DAY_SECONDS = 86_400;

const documentClient = localDocumentClient(localDynamoDb());
const sqs = localSqs();
const tableName = uniqueName('processor-events');
let deadLetterQueueUrl: string;
let queueUrl: string;

beforeAll(async () => {
  await createTable(localDynamoDb(), tableName);
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('processor-events')));
});

/** A history event with a new svix id: `type` at `at`, optionally patched. */
function event(type: string, ids: SampleIds, at: number, patch: Record<string, unknown> = {}): HistoryEvent {
  const envelope: ClerkEventEnvelope = withData(sampleEvent(type, { ...ids, at }), patch);
  return { svixId: `msg_${randomUUID()}`, event: envelope };
}

/** Delivers each event in its own invocation, in the given order, and returns the outcomes. */
async function deliver(...deliveries: HistoryEvent[]): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const delivery of deliveries) outcomes.push(...(await deliverBatch(delivery)));
  return outcomes;
}

/** Delivers the events as one SQS batch (processed concurrently). */
async function deliverBatch(...deliveries: HistoryEvent[]): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  const handler = createProcessorHandler({
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => NOW,
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const response = await handler(sqsEventOf(deliveries.map(sqsRecordOf)));
  expect(response.batchItemFailures).toEqual([]);
  return outcomes;
}

const item = (key: { pk: string; sk: string }) => readItem(documentClient, tableName, key);
const found = (query: KeyQuery) => readQuery(documentClient, tableName, query);

const iso = (ms: number) => new Date(ms).toISOString();
const results = (outcomes: RecordOutcome[]) => outcomes.map((outcome) => outcome.result);

describe('processor: users', () => {
  it('user.created writes the profile, findable by primary email in lower case, with no absent attributes', async () => {
    const ids = freshIds();
    const created = event('user.created', ids, T0, { username: null, external_id: null });
    const outcomes = await deliver(created);

    expect(outcomes).toEqual([
      expect.objectContaining({ result: 'applied', svixId: created.svixId, eventType: 'user.created', entityId: ids.userId }),
    ]);
    expect(await item(keys.user(ids.userId))).toEqual({
      ...keys.user(ids.userId),
      type: 'user',
      id: ids.userId,
      email: ids.email,
      emailVerified: true,
      firstName: 'Grace',
      lastName: 'Hopper',
      imageUrl: expect.stringMatching(/^https:\/\//),
      createdAt: iso(T0),
      updatedAt: iso(T0),
      lastSignInAt: iso(T0),
      ...keys.userEmailIndex(ids.email, ids.userId),
      version: T0,
      lastEventId: created.svixId,
    });
    expect((await found(queries.userByEmail(ids.email))).map((user) => user.id)).toEqual([ids.userId]);
  });

  it('user.updated replaces fields, removes cleared ones and moves the email index; a duplicate changes nothing', async () => {
    const ids = freshIds();
    const newEmail = `New.${ids.email}`;
    const created = event('user.created', ids, T0);
    const updated = event('user.updated', { ...ids, email: newEmail, createdAt: T0 }, T0 + 1000, { username: null });
    expect(results(await deliver(created, updated))).toEqual(['applied', 'applied']);
    const afterUpdate = await item(keys.user(ids.userId));

    expect(afterUpdate).toMatchObject({ email: newEmail, gsi1pk: keys.userEmailIndex(newEmail, ids.userId).gsi1pk, updatedAt: iso(T0 + 1000) });
    expect(afterUpdate).not.toHaveProperty('username');
    expect(await found(queries.userByEmail(ids.email))).toEqual([]);

    expect(results(await deliver(updated, created))).toEqual(['duplicate', 'stale']);
    expect(await item(keys.user(ids.userId))).toEqual(afterUpdate);
  });

  it('an update that arrives before the create wins, and a stale update changes nothing', async () => {
    const ids = freshIds();
    const created = event('user.created', ids, T0, { first_name: 'Created' });
    const updated = event('user.updated', { ...ids, createdAt: T0 }, T0 + 2000, { first_name: 'Second' });
    const olderUpdate = event('user.updated', { ...ids, createdAt: T0 }, T0 + 1000, { first_name: 'First' });

    expect(results(await deliver(updated, created, olderUpdate))).toEqual(['applied', 'stale', 'stale']);
    expect(await item(keys.user(ids.userId))).toMatchObject({ firstName: 'Second', createdAt: iso(T0), version: T0 + 2000 });
  });

  it('user.deleted leaves a tombstone without personal data and removes the sessions and memberships', async () => {
    const ids = freshIds();
    const otherOrg = `${ids.orgId}b`;
    await deliver(
      event('user.created', ids, T0),
      event('session.created', ids, T0 + 10),
      event('session.created', { ...ids, sessionId: `${ids.sessionId}b` }, T0 + 20),
      event('organization.created', ids, T0 + 30),
      event('organizationMembership.created', ids, T0 + 40),
      event('organizationMembership.created', { ...ids, orgId: otherOrg, membershipId: `${ids.membershipId}b` }, T0 + 50),
    );
    expect(await found(queries.userSessions(ids.userId))).toHaveLength(2);
    expect(await found(queries.userOrganizations(ids.userId))).toHaveLength(2);

    const deleted = event('user.deleted', ids, T0 + 100);
    expect(results(await deliver(deleted))).toEqual(['applied']);

    expect(await item(keys.user(ids.userId))).toEqual({
      ...keys.user(ids.userId),
      type: 'user',
      id: ids.userId,
      deleted: true,
      deletedAt: iso(T0 + 100),
      ttl: NOW / 1000 + 30 * DAY_SECONDS,
      version: T0 + 100,
      lastEventId: deleted.svixId,
      // Bookkeeping: when a session first wrote the profile (docs/table.md).
      stubSince: NOW,
    });
    expect(await found(queries.userSessions(ids.userId))).toEqual([]);
    expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
    expect(await item(keys.membership(otherOrg, ids.userId))).toBeUndefined();
    expect(await found(queries.userByEmail(ids.email))).toEqual([]);
    expect(await item(keys.organization(ids.orgId))).toMatchObject({ type: 'organization' });

    const lateUpdate = event('user.updated', { ...ids, createdAt: T0 }, T0 + 200);
    expect(await deliver(lateUpdate, deleted)).toEqual([
      expect.objectContaining({ result: 'stale', reason: 'user deleted' }),
      expect.objectContaining({ result: 'duplicate' }),
    ]);
    expect(await item(keys.user(ids.userId))).toMatchObject({ deleted: true, lastEventId: deleted.svixId });
  });

  it('a deletion that arrives before the create is final', async () => {
    const ids = freshIds();
    expect(results(await deliver(event('user.deleted', ids, T0 + 100), event('user.created', ids, T0)))).toEqual([
      'applied',
      'stale',
    ]);
    expect(await item(keys.user(ids.userId))).toMatchObject({ deleted: true });
    expect(await item(keys.user(ids.userId))).not.toHaveProperty('email');
  });
});

describe('processor: sessions', () => {
  it('session.created writes an active session and raises, never lowers, the user\'s lastSeenAt', async () => {
    const ids = freshIds();
    const created = event('session.created', { ...ids, createdAt: T0 }, T0 + 5000);
    await deliver(event('user.created', ids, T0), created);

    expect(await item(keys.session(ids.userId, ids.sessionId))).toEqual({
      ...keys.session(ids.userId, ids.sessionId),
      type: 'session',
      id: ids.sessionId,
      userId: ids.userId,
      status: 'active',
      createdAt: iso(T0),
      expiresAt: iso(T0 + 7 * DAY_SECONDS * 1000),
      version: T0 + 5000,
      lastEventId: created.svixId,
    });
    expect(await item(keys.user(ids.userId))).toMatchObject({ lastSeenAt: iso(T0 + 5000), email: ids.email });

    await deliver(event('session.created', { ...ids, sessionId: `${ids.sessionId}old`, createdAt: T0 }, T0 + 1000));
    expect(await item(keys.user(ids.userId))).toMatchObject({ lastSeenAt: iso(T0 + 5000) });

    // A later profile update must not clobber lastSeenAt.
    await deliver(event('user.updated', { ...ids, createdAt: T0 }, T0 + 9000));
    expect(await item(keys.user(ids.userId))).toMatchObject({ lastSeenAt: iso(T0 + 5000), updatedAt: iso(T0 + 9000) });
  });

  it('a session that arrives before its user leaves lastSeenAt for user.created to keep', async () => {
    const ids = freshIds();
    await deliver(event('session.created', ids, T0 + 5000));
    expect(await item(keys.user(ids.userId))).toEqual({
      ...keys.user(ids.userId),
      type: 'user',
      id: ids.userId,
      lastSeenAt: iso(T0 + 5000),
      // When the session first wrote the partial profile (the processor's clock): a sweep's prune reads it.
      stubSince: NOW,
    });
    expect(results(await deliver(event('user.created', ids, T0)))).toEqual(['applied']);
    expect(await item(keys.user(ids.userId))).toMatchObject({ email: ids.email, lastSeenAt: iso(T0 + 5000) });
  });

  it.each(['session.ended', 'session.removed', 'session.revoked'])(
    '%s sets the terminal status and endedAt; a start arriving after the end changes only lastSeenAt',
    async (type) => {
      const ids = freshIds();
      const status = type.split('.')[1];
      const start = event('session.created', { ...ids, createdAt: T0 }, T0);
      const end = event(type, { ...ids, createdAt: T0 }, T0 + 60_000);
      expect(results(await deliver(event('user.created', ids, T0 - 1000), end, start))).toEqual(['applied', 'applied', 'stale']);

      expect(await item(keys.session(ids.userId, ids.sessionId))).toMatchObject({
        status,
        endedAt: iso(T0 + 60_000),
        createdAt: iso(T0),
        lastEventId: end.svixId,
      });
      expect(await item(keys.user(ids.userId))).toMatchObject({ lastSeenAt: iso(T0) });
    },
  );

  it('a newer terminal status replaces an older one, never the other way round', async () => {
    const ids = freshIds();
    const ended = event('session.ended', { ...ids, createdAt: T0 }, T0 + 1000);
    const removed = event('session.removed', { ...ids, createdAt: T0 }, T0 + 2000);
    expect(results(await deliver(removed, ended))).toEqual(['applied', 'stale']);
    expect(await item(keys.session(ids.userId, ids.sessionId))).toMatchObject({ status: 'removed', endedAt: iso(T0 + 2000) });
  });

  it('session events after the user was deleted leave no session behind', async () => {
    const ids = freshIds();
    await deliver(event('user.created', ids, T0), event('user.deleted', ids, T0 + 100));
    const outcomes = await deliver(
      event('session.created', { ...ids, createdAt: T0 + 10 }, T0 + 10),
      event('session.ended', { ...ids, sessionId: `${ids.sessionId}b`, createdAt: T0 + 20 }, T0 + 50),
    );
    expect(outcomes).toEqual([
      expect.objectContaining({ result: 'stale', reason: 'user deleted' }),
      expect.objectContaining({ result: 'stale', reason: 'user deleted' }),
    ]);
    expect(await found(queries.userSessions(ids.userId))).toEqual([]);
    expect(await item(keys.user(ids.userId))).not.toHaveProperty('lastSeenAt');
  });
});

describe('processor: organizations', () => {
  it('organization.created/updated keep the newest state and the slug index current', async () => {
    const ids = freshIds();
    const created = event('organization.created', ids, T0, { slug: `acme-${ids.orgId}` });
    const renamed = event('organization.updated', { ...ids, createdAt: T0 }, T0 + 1000, { name: 'Renamed', slug: null });
    expect(results(await deliver(renamed, created))).toEqual(['applied', 'stale']);

    const organization = await item(keys.organization(ids.orgId));
    expect(organization).toMatchObject({ type: 'organization', id: ids.orgId, name: 'Renamed', createdAt: iso(T0) });
    expect(organization).not.toHaveProperty('slug');
    expect(organization).not.toHaveProperty('gsi1pk');
    expect(await found(queries.organizationBySlug(`acme-${ids.orgId}`))).toEqual([]);

    await deliver(event('organization.updated', { ...ids, createdAt: T0 }, T0 + 2000, { slug: `new-${ids.orgId}` }));
    expect((await found(queries.organizationBySlug(`new-${ids.orgId}`))).map((organization) => organization.id)).toEqual([ids.orgId]);
  });

  it('organization.deleted leaves a tombstone and removes every membership item, tombstones included', async () => {
    const ids = freshIds();
    const second = { ...ids, userId: `${ids.userId}b`, membershipId: `${ids.membershipId}b` };
    await deliver(
      event('organization.created', ids, T0),
      event('organizationMembership.created', ids, T0 + 10),
      event('organizationMembership.created', second, T0 + 20),
      event('organizationMembership.deleted', { ...second, createdAt: T0 + 20 }, T0 + 30),
    );
    expect(await found(queries.organizationMembers(ids.orgId))).toHaveLength(2);

    const deleted = event('organization.deleted', ids, T0 + 100);
    expect(results(await deliver(deleted))).toEqual(['applied']);
    expect(await item(keys.organization(ids.orgId))).toEqual({
      ...keys.organization(ids.orgId),
      type: 'organization',
      id: ids.orgId,
      deleted: true,
      deletedAt: iso(T0 + 100),
      ttl: NOW / 1000 + 30 * DAY_SECONDS,
      version: T0 + 100,
      lastEventId: deleted.svixId,
    });
    expect(await found(queries.organizationMembers(ids.orgId))).toEqual([]);

    const late = await deliver(
      event('organization.updated', { ...ids, createdAt: T0 }, T0 + 200),
      event('organizationMembership.created', { ...ids, userId: `${ids.userId}c`, membershipId: `${ids.membershipId}c` }, T0 + 50),
    );
    expect(late).toEqual([
      expect.objectContaining({ result: 'stale', reason: 'organization deleted' }),
      expect.objectContaining({ result: 'stale', reason: 'organization deleted' }),
    ]);
    expect(await found(queries.organizationMembers(ids.orgId))).toEqual([]);
    expect(await item(keys.organization(ids.orgId))).toMatchObject({ deleted: true });
  });
});

describe('processor: memberships', () => {
  it('created/updated keep role and permissions, listed under the organization and the user', async () => {
    const ids = freshIds();
    const created = event('organizationMembership.created', ids, T0);
    const demoted = withData(sampleEvent('organizationMembership.updated', { ...ids, createdAt: T0, at: T0 + 1000 }), {
      role: 'org:member',
      permissions: ['org:sys_memberships:read'],
    });
    const updated: HistoryEvent = { svixId: `msg_${randomUUID()}`, event: demoted };
    expect(results(await deliver(updated, created, updated))).toEqual(['applied', 'stale', 'duplicate']);

    expect(await item(keys.membership(ids.orgId, ids.userId))).toEqual({
      ...keys.membership(ids.orgId, ids.userId),
      ...keys.membershipUserIndex(ids.userId, ids.orgId),
      type: 'membership',
      id: ids.membershipId,
      orgId: ids.orgId,
      userId: ids.userId,
      role: 'org:member',
      permissions: ['org:sys_memberships:read'],
      createdAt: iso(T0),
      updatedAt: iso(T0 + 1000),
      generation: `00${T0}#${ids.membershipId}`,
      version: T0 + 1000,
      lastEventId: updated.svixId,
    });
    expect((await found(queries.userOrganizations(ids.userId))).map((membership) => membership.orgId)).toEqual([ids.orgId]);
  });

  it('a deletion is final for that membership and drops it from the user\'s organizations', async () => {
    const ids = freshIds();
    const deleted = event('organizationMembership.deleted', { ...ids, createdAt: T0 }, T0 + 5000);
    const outcomes = await deliver(
      event('organizationMembership.created', ids, T0),
      deleted,
      event('organizationMembership.updated', { ...ids, createdAt: T0 }, T0 + 9000),
    );
    expect(results(outcomes)).toEqual(['applied', 'applied', 'stale']);
    expect(await item(keys.membership(ids.orgId, ids.userId))).toEqual({
      ...keys.membership(ids.orgId, ids.userId),
      type: 'membership',
      id: ids.membershipId,
      orgId: ids.orgId,
      userId: ids.userId,
      deleted: true,
      deletedAt: iso(T0 + 5000),
      generation: `00${T0}#${ids.membershipId}`,
      ttl: NOW / 1000 + 30 * DAY_SECONDS,
      version: T0 + 5000,
      lastEventId: deleted.svixId,
    });
    expect(await found(queries.userOrganizations(ids.userId))).toEqual([]);
  });

  it('a late deletion (or creation) of an old membership does not touch the membership after a rejoin', async () => {
    const ids = freshIds();
    const first = { ...ids, membershipId: `${ids.membershipId}1` };
    const rejoined = { ...ids, membershipId: `${ids.membershipId}2` };
    const firstCreated = event('organizationMembership.created', first, T0);
    const firstDeleted = event('organizationMembership.deleted', { ...first, createdAt: T0 }, T0 + 1000);
    const rejoinCreated = event('organizationMembership.created', rejoined, T0 + 2000);

    expect(results(await deliver(rejoinCreated, firstDeleted, firstCreated))).toEqual(['applied', 'stale', 'stale']);
    expect(await item(keys.membership(ids.orgId, ids.userId))).toMatchObject({ id: rejoined.membershipId });
    expect(await item(keys.membership(ids.orgId, ids.userId))).not.toHaveProperty('deleted');

    // In order, the tombstone of the first membership is replaced by the rejoin.
    const inOrder = freshIds();
    await deliver(
      event('organizationMembership.created', { ...inOrder, membershipId: 'orgmem_a' }, T0),
      event('organizationMembership.deleted', { ...inOrder, membershipId: 'orgmem_a', createdAt: T0 }, T0 + 1000),
      event('organizationMembership.created', { ...inOrder, membershipId: 'orgmem_b' }, T0 + 2000),
    );
    expect(await item(keys.membership(inOrder.orgId, inOrder.userId))).toMatchObject({ id: 'orgmem_b', role: 'org:admin' });
  });

  it('a membership arriving after its user was deleted leaves nothing behind', async () => {
    const ids = freshIds();
    await deliver(event('user.created', ids, T0), event('user.deleted', ids, T0 + 100));
    const outcomes = await deliver(
      event('organizationMembership.created', ids, T0 + 10),
      event('organizationMembership.deleted', { ...ids, membershipId: `${ids.membershipId}0`, createdAt: T0 + 1 }, T0 + 5),
    );
    expect(outcomes).toEqual([
      expect.objectContaining({ result: 'stale', reason: 'user deleted' }),
      expect.objectContaining({ result: 'stale', reason: 'user deleted' }),
    ]);
    expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
  });

  it('a membership and its user\'s deletion processed in one concurrent batch leave no membership', async () => {
    const ids = freshIds();
    await deliver(event('user.created', ids, T0), event('organization.created', ids, T0));
    await deliverBatch(
      event('organizationMembership.created', ids, T0 + 10),
      event('session.created', ids, T0 + 20),
      event('user.deleted', ids, T0 + 100),
    );
    expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
    expect(await found(queries.userSessions(ids.userId))).toEqual([]);
    expect(await item(keys.user(ids.userId))).toMatchObject({ deleted: true });
  });
});

describe('processor: reading the parents before a child write (on with change events, off by default)', () => {
  /** The processor's DynamoDB commands, by class name, in the order sent. */
  function recordingClient(): { client: typeof documentClient; sent: string[] } {
    const client = localDocumentClient(localDynamoDb());
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    const sent: string[] = [];
    Object.assign(client, {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return send(command);
      },
    });
    return { client, sent };
  }

  async function deliverWith(readParentsFirst: boolean, delivery: HistoryEvent): Promise<{ outcomes: RecordOutcome[]; sent: string[] }> {
    const { client, sent } = recordingClient();
    const outcomes: RecordOutcome[] = [];
    const handler = createProcessorHandler({
      documentClient: client,
      sqs,
      tableName,
      deadLetterQueueUrl,
      queueUrl,
      now: () => NOW,
      readParentsFirst,
      logger: new Logger({ logLevel: 'SILENT' }),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    expect((await handler(sqsEventOf([sqsRecordOf(delivery)]))).batchItemFailures).toEqual([]);
    return { outcomes, sent };
  }

  it('off: a live user\'s session.created reads nothing (its lastSeenAt raise is the check); on: one read first', async () => {
    const ids = freshIds();
    await deliver(event('user.created', ids, T0));
    const off = await deliverWith(false, event('session.created', { ...ids, createdAt: T0 + 10 }, T0 + 10));
    expect(off.sent).toEqual(['PutCommand', 'UpdateCommand']);
    const on = await deliverWith(true, event('session.created', { ...ids, sessionId: `${ids.sessionId}b`, createdAt: T0 + 20 }, T0 + 20));
    expect(on.sent).toEqual(['GetCommand', 'PutCommand', 'UpdateCommand']);
    expect([...off.outcomes, ...on.outcomes].map((outcome) => outcome.result)).toEqual(['applied', 'applied']);
  });

  it.each([false, true])('under a deleted user (read first: %s) a late session or membership leaves nothing, and is stale', async (readParentsFirst) => {
    const ids = freshIds();
    await deliver(event('user.created', ids, T0), event('organization.created', ids, T0), event('user.deleted', ids, T0 + 100));
    const session = await deliverWith(readParentsFirst, event('session.created', { ...ids, createdAt: T0 + 10 }, T0 + 10));
    const membership = await deliverWith(readParentsFirst, event('organizationMembership.created', ids, T0 + 10));
    for (const { outcomes } of [session, membership]) {
      expect(outcomes).toEqual([expect.objectContaining({ result: 'stale', reason: 'user deleted' })]);
    }
    expect(await found(queries.userSessions(ids.userId))).toEqual([]);
    expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
    // Read first, the child is never written, so the table's stream never shows it; off, it is
    // written and removed again by the check after the write.
    expect(session.sent.includes('PutCommand')).toBe(!readParentsFirst);
    expect(membership.sent.includes('PutCommand')).toBe(!readParentsFirst);
  });
});
