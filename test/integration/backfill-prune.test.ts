import { mockClient } from 'aws-sdk-client-mock';
import type { SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';
import { MassPruneRefusedError } from '../../lambdas/shared/errors';
import { keys, queries } from '../../lambdas/shared/table-schema';
import { clerkEnvelope, sampleEvent, sampleUser } from '../../lambdas/shared/sample-events';
import { createQueues } from '../../local/create-resources';
import { meterCapacity } from '../../bench/capacity-meter';
import { PRUNE_EVENT_ID } from '../../lambdas/reconciler/sweep-event-ids';
import { seededHistory } from '../clerk-api/seeded-history';
import { clerkFor, deliverInOrder, inOrderTable, storeOf, sweep } from '../support/backfill-fixture';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { type HistoryEvent, readComparableTable } from '../support/random-history';
import { readItem, readQuery } from '../support/table-reads';

/*
 * Prune: what the table holds live and Clerk no longer has (its *.deleted webhook was missed)
 * is deleted with its cascades, as that webhook would have done, and only after Clerk's batched
 * answer is confirmed by a direct lookup. Nothing created after the sweep started is touched.
 */

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
let deadLetterQueueUrl: string;

const seeded = seededHistory({ users: 30, organizations: 4, membershipsPerUser: 2, tag: 'prune' });
const user = (index: number) => `user_2pruneU${String(index).padStart(6, '0')}`;
const org = (index: number) => `org_2pruneO${String(index).padStart(5, '0')}`;
let clock = 1_717_100_000_000;
const at = () => (clock += 1_000);
const event = (svixId: string, type: string, data: Record<string, unknown>): HistoryEvent => ({ svixId, event: clerkEnvelope(type, data, at()) });

// Sessions of the user whose deletion will be missed, so its cascade has work.
const sessions = [0, 1].map((n) => ({ svixId: `msg_prunesess${n}`, event: sampleEvent('session.created', { userId: user(3), sessionId: `sess_2prune${n}`, at: at() }) }));
const membershipOf = (userIndex: number, join: number) =>
  seeded.find(({ event: e }) => e.type === 'organizationMembership.created' && e.data.id === `orgmem_2pruneM${String(userIndex).padStart(6, '0')}x${join}`)!;
// What happened in Clerk while the webhooks were lost: a user, an organization and a membership deleted.
const missed: HistoryEvent[] = [
  event('msg_prunedel1', 'user.deleted', { deleted: true, id: user(3), object: 'user' }),
  event('msg_prunedel2', 'organization.deleted', { deleted: true, id: org(2), object: 'organization' }),
  { svixId: 'msg_prunedel3', event: clerkEnvelope('organizationMembership.deleted', membershipOf(10, 1).event.data, at()) },
];
const delivered = [...seeded, ...sessions];

beforeAll(async () => {
  ({ deadLetterQueueUrl } = await createQueues(sqs, uniqueName('backfill-prune')));
});

it('deletes what Clerk no longer has, with the cascades its deletion webhooks would have run', async () => {
  const { server, clerk } = await clerkFor(storeOf([...delivered, ...missed]));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    const expectedTable = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, [...delivered, ...missed]);
    const organizationMembers = (await readQuery(documentClient, tableName, queries.organizationMembers(org(2)))).length;
    expect(organizationMembers).toBeGreaterThan(2);
    expect((await readQuery(documentClient, tableName, queries.userSessions(user(3)))).length).toBe(2);

    const before = Date.now();
    // Two deletes per applier call: each cascade takes several calls, which the prune repeats
    // until the applier reports it complete.
    const run = await sweep(documentClient, tableName, clerk, { prune: true, cascadeDeletesPerCall: 2 });
    expect(run.failures).toEqual([]);
    // The user, the organization and the membership; cascades are not counted as entities.
    expect(run.final.counts).toMatchObject({ pruned: 3, created: 0, updated: 0, failed: 0 });
    // Every live user, organization and membership was checked.
    expect(run.final.counts.checked).toBe(30 + 4 + 60);

    const tombstone = await readItem(documentClient, tableName, keys.user(user(3)));
    expect(tombstone).toMatchObject({ deleted: true, lastEventId: PRUNE_EVENT_ID });
    expect(Date.parse(String(tombstone!.deletedAt))).toBeGreaterThanOrEqual(before);
    expect(await readQuery(documentClient, tableName, queries.userSessions(user(3)))).toEqual([]);
    expect(await readQuery(documentClient, tableName, queries.organizationMembers(org(2)))).toEqual([]);

    // Equal to in-order delivery of every webhook, the missed deletions included, but for when they happened.
    const withoutDeletionTimes = (items: Record<string, unknown>[]) => items.map(({ deletedAt: _deletedAt, ...item }) => item);
    expect(withoutDeletionTimes(await readComparableTable(documentClient, tableName))).toEqual(
      withoutDeletionTimes(await readComparableTable(documentClient, expectedTable)),
    );

    // A second prune finds nothing to do and writes nothing.
    const metered = localDynamoDb();
    const meter = meterCapacity(metered);
    const again = await sweep(localDocumentClient(metered), tableName, clerk, { prune: true });
    expect(again.final.counts).toMatchObject({ pruned: 0, created: 0, updated: 0 });
    expect(meter.tally().writeUnits).toBe(0);
    metered.destroy();
  } finally {
    await server.close();
  }
});

it('prunes a partial profile (a user known only from its sessions) that Clerk no longer has, unless it was first written after the sweep started', async () => {
  const { server, clerk } = await clerkFor(storeOf(delivered));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    // Users created and deleted in Clerk while only their sessions reached the table.
    const session = (userId: string, sessionId: string) => ({ svixId: `msg_${sessionId}`, event: sampleEvent('session.created', { userId, sessionId, at: at() }) });
    await deliverInOrder(documentClient, sqs, deadLetterQueueUrl, tableName, [session('user_2pruneGONE', 'sess_2pruneGONE')]);
    await deliverInOrder(documentClient, sqs, deadLetterQueueUrl, tableName, [session('user_2pruneNEW', 'sess_2pruneNEW')], () => Date.now() + 60_000);

    const run = await sweep(documentClient, tableName, clerk, { prune: true });
    expect(run.final.counts.pruned).toBe(1);
    expect(await readItem(documentClient, tableName, keys.user('user_2pruneGONE'))).toMatchObject({ deleted: true, lastEventId: PRUNE_EVENT_ID });
    expect(await readQuery(documentClient, tableName, queries.userSessions('user_2pruneGONE'))).toEqual([]);
    expect(await readItem(documentClient, tableName, keys.user('user_2pruneNEW'))).not.toHaveProperty('deleted');
    expect(await readQuery(documentClient, tableName, queries.userSessions('user_2pruneNEW'))).toHaveLength(1);
  } finally {
    await server.close();
  }
});

it('prunes a membership of an organization and a user the table never held as their deletions would: tombstones for them, nothing for the membership', async () => {
  const { server, clerk } = await clerkFor(storeOf(delivered));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    // Only the membership's webhook reached the table; its organization and user were created before, and deleted since.
    const joined = { svixId: 'msg_prunejoin', event: sampleEvent('organizationMembership.created', { orgId: 'org_2pruneGONE', userId: 'user_2pruneLEFT', membershipId: 'orgmem_2pruneX', at: at() }) };
    await deliverInOrder(documentClient, sqs, deadLetterQueueUrl, tableName, [joined]);
    const expectedTable = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, [
      joined,
      event('msg_prunegone1', 'organization.deleted', { deleted: true, id: 'org_2pruneGONE', object: 'organization' }),
      event('msg_prunegone2', 'user.deleted', { deleted: true, id: 'user_2pruneLEFT', object: 'user' }),
    ]);

    const run = await sweep(documentClient, tableName, clerk, { prune: true });
    expect(run.final.counts.pruned).toBe(2);
    const around = async (table: string) =>
      (await readComparableTable(documentClient, table))
        .filter((item) => String(item.pk).endsWith('2pruneGONE') || String(item.pk).endsWith('2pruneLEFT'))
        .map(({ deletedAt: _deletedAt, ...item }) => item);
    expect(await around(tableName)).toEqual(await around(expectedTable));
    expect(await around(tableName)).toHaveLength(2);
  } finally {
    await server.close();
  }
});

it('prunes nothing created at or after the sweep started, nor what a lagging list leaves out but a lookup finds; a dry run only counts', async () => {
  const { server, clerk } = await clerkFor(storeOf([...delivered, ...missed]));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    // A user that reached the table through a webhook after the sweep started, and is not in Clerk's lists yet.
    const startedAt = Date.now();
    const late = sampleUser({ userId: 'user_2pruneLATE', email: 'late@example.com', at: startedAt + 60_000 });
    await deliverInOrder(documentClient, sqs, deadLetterQueueUrl, tableName, [
      { svixId: 'msg_prunelate', event: clerkEnvelope('user.created', late, startedAt + 60_000) },
    ]);
    // Clerk's filtered lists lag behind for this user: only the direct lookup finds it.
    server.hideFromFilteredLists([user(7)]);

    const dry = await sweep(documentClient, tableName, clerk, { prune: true, dryRun: true });
    expect(dry.final.counts).toMatchObject({ pruned: 3 });
    expect(await readItem(documentClient, tableName, keys.user(user(3)))).not.toHaveProperty('deleted');

    const run = await sweep(documentClient, tableName, clerk, { prune: true });
    expect(run.final.counts.pruned).toBe(3);
    expect(await readItem(documentClient, tableName, keys.user('user_2pruneLATE'))).not.toHaveProperty('deleted');
    expect(await readItem(documentClient, tableName, keys.user(user(7)))).not.toHaveProperty('deleted');
    // The lookup that saved it.
    expect(server.requests.some((request) => request.path === `/v1/users/${user(7)}` && request.status === 200)).toBe(true);
  } finally {
    await server.close();
  }
});

it('stops instead of pruning most of a page (a secret key of another Clerk instance), deletes nothing, and prunes it all when told to', async () => {
  // The other instance has none of this table's users, organizations or memberships.
  const { server, clerk } = await clerkFor(storeOf([]));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    const before = await readComparableTable(documentClient, tableName);

    await expect(sweep(documentClient, tableName, clerk, { prune: true })).rejects.toThrow(MassPruneRefusedError);
    expect(await readComparableTable(documentClient, tableName)).toEqual(before);

    // A dry run shows what would go; the operator who checked it lets the prune through.
    const dryRun = await sweep(documentClient, tableName, clerk, { prune: true, dryRun: true });
    expect(dryRun.final.counts.pruned).toBe(30 + 4);
    const run = await sweep(documentClient, tableName, clerk, { prune: true, maxPruneShare: 1 });
    expect(run.final.counts).toMatchObject({ pruned: 30 + 4, failed: 0 });
    expect(await readItem(documentClient, tableName, keys.user(user(0)))).toMatchObject({ deleted: true, lastEventId: PRUNE_EVENT_ID });
  } finally {
    await server.close();
  }
});

it('refuses a page on everything it would prune: a few users gone are not deleted before the memberships tip it over', async () => {
  // Clerk has lost every membership and five users: fewer users than the refusal's minimum, but
  // the page as a whole is mostly gone. Nothing may be deleted, the users included.
  const goneUsers = new Set([0, 1, 2, 3, 4].map(user));
  const kept = delivered.filter(({ event: envelope }) => {
    const data = envelope.data as { id?: string };
    return !envelope.type.startsWith('organizationMembership.') && !(envelope.type === 'user.created' && goneUsers.has(String(data.id)));
  });
  const { server, clerk } = await clerkFor(storeOf(kept));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, delivered);
    const before = await readComparableTable(documentClient, tableName);

    await expect(sweep(documentClient, tableName, clerk, { prune: true })).rejects.toThrow(MassPruneRefusedError);
    expect(await readComparableTable(documentClient, tableName)).toEqual(before);
    expect(await readItem(documentClient, tableName, keys.user(user(0)))).not.toHaveProperty('deleted');
  } finally {
    await server.close();
  }
});

it("finishes a pruned user's cascade when the page is read again after the cascade failed half-way", async () => {
  // A user with sessions and no membership: nothing else the prune scans leads back to it.
  const lone = 'user_2pruneLone';
  const loneHistory = [
    event('msg_lone_created', 'user.created', sampleUser({ userId: lone, email: 'lone@example.com', at: at() })),
    ...[0, 1].map((n) => ({ svixId: `msg_lonesess${n}`, event: sampleEvent('session.created', { userId: lone, sessionId: `sess_2lone${n}`, at: at() }) })),
  ];
  const loneDeleted = event('msg_lone_deleted', 'user.deleted', { deleted: true, id: lone, object: 'user' });
  const { server, clerk } = await clerkFor(storeOf([...delivered, ...loneHistory, loneDeleted]));
  try {
    const tableName = await inOrderTable(dynamodb, documentClient, sqs, deadLetterQueueUrl, [...delivered, ...loneHistory]);
    // The user's tombstone is written, then the batched delete of its sessions times out.
    const faulty = localDocumentClient(localDynamoDb());
    const realSend = faulty.send.bind(faulty) as (command: unknown) => Promise<unknown>;
    let injected = 0;
    const mock = mockClient(faulty);
    mock.send.callsFake((async (command: { constructor: { name: string }; input: unknown }) => {
      if (injected === 0 && command.constructor.name === 'BatchWriteCommand' && JSON.stringify(command.input).includes('sess_2lone')) {
        injected += 1;
        throw Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
      }
      return realSend(command);
    }) as Parameters<typeof mock.send.callsFake>[0]);
    let lastSaved: SweepCheckpoint | undefined;
    try {
      await expect(sweep(faulty, tableName, clerk, { prune: true }, undefined, (checkpoint) => (lastSaved = checkpoint))).rejects.toThrow(/timed out/);
    } finally {
      mock.restore();
    }
    expect(injected).toBe(1);
    expect(await readItem(documentClient, tableName, keys.user(lone))).toMatchObject({ deleted: true, lastEventId: PRUNE_EVENT_ID });
    expect((await readQuery(documentClient, tableName, queries.userSessions(lone))).length).toBe(2);

    // Resumed from its checkpoint: the page is read again, and the user's sessions go.
    const resumed = await sweep(documentClient, tableName, clerk, { prune: true }, lastSaved);
    expect(resumed.failures).toEqual([]);
    expect(await readQuery(documentClient, tableName, queries.userSessions(lone))).toEqual([]);
  } finally {
    await server.close();
  }
});
