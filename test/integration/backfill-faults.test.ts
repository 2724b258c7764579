import type { SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';
import { ClerkApiUnavailableError } from '../../lambdas/shared/errors';
import { createTable } from '../../local/create-resources';
import { liveEntities, sweep, type SweepRun, useClerkInstance } from '../support/backfill-fixture';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

/*
 * Clerk's Backend API misbehaving: 429 with Retry-After is waited out, 5xx and dropped
 * connections are retried with backoff, and an outage that outlasts the retries stops the sweep
 * with its checkpoint saved; resuming from it ends in the same table, each entity created once.
 */

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const instance = useClerkInstance({ users: 60, organizations: 5, membershipsPerUser: 1, tag: 'faults' }, { dynamodb, documentClient, sqs });
const ENTITIES = 60 + 5 + 60;

async function freshTable(): Promise<string> {
  const tableName = uniqueName('faults');
  await createTable(dynamodb, tableName);
  return tableName;
}

it('waits out a 429 for its Retry-After before asking again', async () => {
  const tableName = await freshTable();
  const from = instance.server.requests.length;
  instance.server.injectFaults({ status: 429, retryAfterSeconds: 1 });
  const run = await sweep(documentClient, tableName, instance.clerk);
  const requests = instance.server.requests.slice(from);
  expect(requests[0]!.status).toBe(429);
  // Every request after the 429 waited for it (the SDK's user list asks two at once, the 429 is one of them).
  const after = requests.filter((request) => request.status !== 429);
  expect(Math.min(...after.slice(1).map((request) => request.at)) - requests[0]!.at).toBeGreaterThanOrEqual(1_000);
  expect(run.final.counts).toMatchObject({ created: ENTITIES, failed: 0 });
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
});

it('retries an occasional 500 and dropped connections with backoff, and gets everything', async () => {
  const tableName = await freshTable();
  const from = instance.server.requests.length;
  instance.server.injectFaults({ drop: true }, { status: 503 });
  instance.server.setServerErrorRate(0.15);
  let run: SweepRun;
  try {
    run = await sweep(documentClient, tableName, instance.clerk);
  } finally {
    instance.server.setServerErrorRate(0);
  }
  const failed = instance.server.requests.slice(from).filter((request) => request.status >= 500 || request.status === 0);
  expect(failed.length).toBeGreaterThanOrEqual(2);
  expect(run.final.counts).toMatchObject({ created: ENTITIES, failed: 0 });
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
});

it('stops with its checkpoint saved when an outage outlasts the retries, and resumes from it to the same table, creating each entity once', async () => {
  const tableName = await freshTable();
  let last: SweepCheckpoint | undefined;
  // Healthy for three pages, then every request fails: more 500s than the retries take.
  const stopped = sweep(documentClient, tableName, instance.clerk, {}, undefined, (checkpoint, saved) => {
    last = checkpoint;
    if (saved.length === 3) instance.server.setServerErrorRate(1);
  });
  try {
    await expect(stopped).rejects.toBeInstanceOf(ClerkApiUnavailableError);
  } finally {
    instance.server.setServerErrorRate(0);
  }
  expect(last!.phase).toBe('memberships');
  expect(last!.counts.created).toBeGreaterThan(0);
  expect(last!.counts.created).toBeLessThan(ENTITIES);

  const resumed = await sweep(documentClient, tableName, instance.clerk, {}, last);
  expect(resumed.final.phase).toBe('done');
  // The counts carry over in the checkpoint: the page in flight when it stopped is not created twice.
  expect(resumed.final.counts).toMatchObject({ created: ENTITIES, updated: 0, failed: 0 });
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
});
