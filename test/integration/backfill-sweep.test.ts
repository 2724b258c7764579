import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newSweep } from '../../lambdas/reconciler/sweep-checkpoint';
import { SNAPSHOT_EVENT_ID } from '../../lambdas/reconciler/sweep-event-ids';
import { keys } from '../../lambdas/shared/table-schema';
import { createTable } from '../../local/create-resources';
import { meterCapacity } from '../../bench/capacity-meter';
import { liveEntities, sweep, useClerkInstance } from '../support/backfill-fixture';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { readItem } from '../support/table-reads';

/*
 * A sweep against the local Clerk API (real @clerk/backend SDK) and DynamoDB Local: it fills an
 * empty table with what in-order delivery of the webhooks would have made (live entities), a
 * second sweep over the unchanged instance writes nothing (measured in write units), and a
 * snapshot never overrides a newer webhook or a deletion.
 */

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
// Users created in bulk: several per millisecond, so pages end inside a millisecond.
const instance = useClerkInstance(
  { users: 90, organizations: 8, membershipsPerUser: 2, tag: 'sweep', usersPerMillisecond: 4 },
  { dynamodb, documentClient, sqs },
);
const ENTITIES = 90 + 8 + 180;

it('fills an empty table with what in-order delivery of the webhooks makes, then a second sweep writes nothing', async () => {
  const tableName = uniqueName('backfill');
  await createTable(dynamodb, tableName);

  const first = await sweep(documentClient, tableName, instance.clerk);
  expect(first.failures).toEqual([]);
  expect(first.final.phase).toBe('done');
  const entities = ENTITIES;
  expect(first.final.counts).toEqual({ listed: entities, created: entities, updated: 0, unchanged: 0, skipped: 0, pruned: 0, checked: 0, failed: 0 });
  expect(first.saved.length).toBeGreaterThanOrEqual(8);
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);

  // The second sweep, on its own client with a meter: reads only.
  const metered = localDynamoDb();
  const meter = meterCapacity(metered);
  const second = await sweep(localDocumentClient(metered), tableName, instance.clerk);
  expect(second.final.counts).toMatchObject({ listed: entities, created: 0, updated: 0, unchanged: entities, skipped: 0, failed: 0 });
  expect(meter.tally().writeUnits).toBe(0);
  expect(meter.tally().failedConditions).toBe(0);
  expect(Object.keys(meter.tally().requests)).toEqual(['BatchGetItem']);
  metered.destroy();
});

it('pages through every user with Clerk\'s documented requests: created_at_after windows, small offsets, oldest first', () => {
  const userLists = instance.server.requests.filter((request) => request.path === '/v1/users');
  expect(userLists.length).toBeGreaterThanOrEqual(3);
  for (const request of userLists) {
    expect(request.query.get('order_by')).toBe('+created_at');
    expect(request.query.get('limit')).toBe('40');
    expect(Number(request.query.get('offset') ?? 0)).toBeLessThan(40);
  }
  expect(instance.server.requests.filter((request) => request.path === '/v1/users/count').length).toBe(userLists.length);
  expect(instance.server.requests.some((request) => request.path === '/v1/organization_memberships')).toBe(true);
});

it('a dry run counts what it would write and writes nothing', async () => {
  const tableName = uniqueName('dry-run');
  await createTable(dynamodb, tableName);
  const metered = localDynamoDb();
  const meter = meterCapacity(metered);
  const run = await sweep(localDocumentClient(metered), tableName, instance.clerk, { dryRun: true });
  expect(run.final.counts).toMatchObject({ created: ENTITIES, updated: 0, unchanged: 0 });
  expect(meter.tally().writeUnits).toBe(0);
  expect(await liveEntities(documentClient, tableName)).toEqual([]);
  metered.destroy();
});

it('never overrides a newer webhook, a webhook of the same version or a deletion; updates an older state', async () => {
  const tableName = uniqueName('newer');
  await createTable(dynamodb, tableName);
  await sweep(documentClient, tableName, instance.clerk);
  const [newer, same, deleted, older] = ['000000', '000001', '000002', '000003'].map((n) => `user_2sweepU${n}`);
  const set = async (userId: string, expression: string, values: Record<string, unknown>) =>
    documentClient.send(new UpdateCommand({ TableName: tableName, Key: keys.user(userId), UpdateExpression: expression, ExpressionAttributeValues: values }));
  const version = async (userId: string) => (await readItem(documentClient, tableName, keys.user(userId)))!.version as number;
  // What webhooks would have left: a later user.updated, the same version under its svix id, a deletion; and a state older than Clerk's.
  await set(newer!, 'SET version = :v, lastEventId = :id, firstName = :name', { ':v': (await version(newer!)) + 1, ':id': 'msg_newer', ':name': 'Newer' });
  await set(same!, 'SET lastEventId = :id, firstName = :name', { ':id': 'msg_same', ':name': 'Same' });
  await set(deleted!, 'SET deleted = :true REMOVE email, firstName', { ':true': true });
  await set(older!, 'SET version = :v, firstName = :name', { ':v': 1, ':name': 'Older' });

  const run = await sweep(documentClient, tableName, instance.clerk, {}, newSweep('again', Date.now()));
  expect(run.final.counts).toMatchObject({ created: 0, updated: 1, skipped: 2, unchanged: ENTITIES - 3 });
  expect(await readItem(documentClient, tableName, keys.user(newer!))).toMatchObject({ firstName: 'Newer', lastEventId: 'msg_newer' });
  expect(await readItem(documentClient, tableName, keys.user(same!))).toMatchObject({ firstName: 'Same', lastEventId: 'msg_same' });
  expect(await readItem(documentClient, tableName, keys.user(deleted!))).toMatchObject({ deleted: true });
  expect(await readItem(documentClient, tableName, keys.user(deleted!))).not.toHaveProperty('email');
  expect(await readItem(documentClient, tableName, keys.user(older!))).toMatchObject({ lastEventId: SNAPSHOT_EVENT_ID });
  expect((await readItem(documentClient, tableName, keys.user(older!)))!.firstName).not.toBe('Older');
});
