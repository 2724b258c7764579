import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { createQueues, createTable } from '../../local/create-resources';
import type { ClerkApiServer } from '../clerk-api/clerk-api-server';
import { ClerkStore } from '../clerk-api/clerk-store';
import { clerkFor, deliverWithSnapshots } from '../support/backfill-fixture';
import { deliverInBatches } from '../support/deliver-in-batches';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { propertyRuns } from '../support/property-runs';
import {
  deliveriesArbitrary,
  describeEvents,
  describeSnapshotScenario,
  historyArbitrary,
  historyFeatures,
  readComparableTable,
  snapshotScenarioArbitrary,
} from '../support/random-history';

/*
 * The correctness property (docs/consistency.md): for any valid history, any permutation with
 * any duplicates yields the same table (bookkeeping aside) as delivering the history once, in
 * order. Both sides run the real
 * handler against DynamoDB Local; the shuffled side in SQS batches of up to 10 records,
 * processed concurrently as in Lambda, with up to 3 batches in flight at once (concurrent
 * invocations), and with cascades cut short by a tiny budget and continued in new messages that
 * join the later batches. Every history holds each tricky case (deletions with cascades, rejoins...)
 * and every delivery holds duplicates, by construction (test/support/random-history.ts), so
 * no run can pass without them and no coverage count can flake.
 *
 * The seed is random, and fast-check prints it with the counterexample. To replay a failure
 * (and shrink it): FC_SEED=<seed> FC_PATH=<path> npx jest test/integration/processor-property.test.ts
 * A failure that came from a race may not replay: the batches' interleaving is not seeded.
 * FC_NUM_RUNS runs more (or fewer) histories.
 */

const RUNS = propertyRuns(20);
const dynamodb: DynamoDBClient = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs: SQSClient = localSqs();
let deadLetterQueueUrl: string;
let queueUrl: string;
// Clerk's Backend API for the snapshots: one server, its store loaded with each snapshot's state.
const clerkState = new ClerkStore();
let clerkApi: Awaited<ReturnType<typeof clerkFor>>;

beforeAll(async () => {
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('processor-property')));
  clerkApi = await clerkFor(clerkState);
});
afterAll(async () => {
  await (clerkApi?.server as ClerkApiServer | undefined)?.close();
});

function processorFor(tableName: string, outcomes: RecordOutcome[], cascadeDeletesPerReceive?: number, readParentsFirst?: boolean) {
  return createProcessorHandler({
    ...(readParentsFirst === undefined ? {} : { readParentsFirst }),
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => Date.UTC(2024, 5, 1),
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
    ...(cascadeDeletesPerReceive === undefined ? {} : { cascadeDeletesPerReceive }),
  });
}

/** Structural consequences of the events' effects (docs/table.md) that both tables must show. */
function expectNoOrphans(items: Record<string, unknown>[]): void {
  const deletedUsers = new Set(items.filter((item) => item.type === 'user' && item.deleted === true).map((item) => item.id));
  const deletedOrganizations = new Set(
    items.filter((item) => item.type === 'organization' && item.deleted === true).map((item) => item.id),
  );
  for (const item of items) {
    if (item.type === 'session') expect(deletedUsers.has(item.userId)).toBe(false);
    if (item.type === 'membership') {
      expect(deletedUsers.has(item.userId)).toBe(false);
      expect(deletedOrganizations.has(item.orgId)).toBe(false);
    }
    if (item.deleted === true) {
      expect(item).not.toHaveProperty('gsi1pk');
      expect(item).not.toHaveProperty('email');
    }
    expect(Object.values(item)).not.toContain(null);
    expect(Object.values(item)).not.toContain('undefined');
  }
}

it('any order and any duplicates give the table that in-order delivery gives', async () => {
  let runs = 0;
  const scenario = historyArbitrary({ minCommands: 10, maxCommands: 30 })
    .chain((history) =>
      fc.record({
        history: fc.constant(history),
        deliveries: deliveriesArbitrary(history),
        batchSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 }),
        inFlight: fc.integer({ min: 1, max: 3 }),
        /** Deletes per cascade and receive: tiny budgets make cascades continue in new messages, among the other deliveries. */
        cascadeBudget: fc.constantFrom(1, 2, undefined),
        /** Both ways of checking parents (with change events on, and the default): the table must end the same. */
        readParentsFirst: fc.boolean(),
      }),
    )
    .map((run) =>
      Object.assign(run, {
        [fc.toStringMethod]: () =>
          `history:\n${describeEvents(run.history)}\n` +
          `deliveries (batches ${run.batchSizes.join(',')}, ${run.inFlight} in flight, cascade budget ${run.cascadeBudget ?? 'default'}, ` +
          `parents read first: ${run.readParentsFirst}):\n` +
          describeEvents(run.deliveries),
      }),
    );

  await fc.assert(
    fc.asyncProperty(scenario, async ({ history, deliveries, batchSizes, inFlight, cascadeBudget, readParentsFirst }) => {
      runs += 1;
      // Guaranteed by the generators; checked so that a run without them fails instead of passing vacuously.
      expect(Object.entries(historyFeatures(history)).filter(([, count]) => count === 0)).toEqual([]);
      expect(deliveries.length).toBeGreaterThan(history.length);

      const inOrderTable = uniqueName('in-order');
      const shuffledTable = uniqueName('shuffled');
      await Promise.all([createTable(dynamodb, inOrderTable), createTable(dynamodb, shuffledTable)]);
      const outcomes: RecordOutcome[] = [];

      const inOrder = processorFor(inOrderTable, outcomes);
      await deliverInBatches(inOrder, history, [1]);
      await deliverInBatches(processorFor(shuffledTable, outcomes, cascadeBudget, readParentsFirst), deliveries, batchSizes, inFlight, { sqs, queueUrl });

      expect(outcomes.filter((outcome) => outcome.result === 'failed' || outcome.result === 'dead-lettered')).toEqual([]);
      const expected = await readComparableTable(documentClient, inOrderTable);
      expect(await readComparableTable(documentClient, shuffledTable)).toEqual(expected);
      expectNoOrphans(expected);
    }),
    RUNS.parameters,
  );
  // fast-check stops early only on a failure, which throws above: every run happened.
  if (!RUNS.replay) expect(runs).toBe(RUNS.numRuns);
}, RUNS.timeoutMs);

/*
 * The same property with backfill (docs/consistency.md, "Snapshots"): snapshots of what Clerk's
 * Backend API held at random points of the history (deleted entities absent, no sessions), swept
 * into the table at random points of the shuffled, duplicated delivery, each sweep running while
 * the next deliveries are applied. The table must still be the one in-order delivery of the
 * webhooks alone gives: a snapshot never brings back a deletion, never overrides a newer event,
 * and adds nothing the webhooks would not have.
 */
const SNAPSHOT_RUNS = propertyRuns(15);

it('snapshots taken and applied at any points of the delivery leave the table that in-order delivery gives', async () => {
  let runs = 0;
  const scenario = snapshotScenarioArbitrary({ minCommands: 10, maxCommands: 30, maxBatches: 8 }).chain((run) =>
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([pageSize, readParentsFirst]) =>
      Object.assign(
        { ...run, pageSize, readParentsFirst },
        { [fc.toStringMethod]: () => `${describeSnapshotScenario(run)}\npage size ${pageSize}, parents read first: ${readParentsFirst}` },
      ),
    ),
  );

  await fc.assert(
    fc.asyncProperty(scenario, async (run) => {
      const { history, pageSize, readParentsFirst } = run;
      runs += 1;
      const inOrderTable = uniqueName('in-order');
      const withSnapshotsTable = uniqueName('snapshots');
      await Promise.all([createTable(dynamodb, inOrderTable), createTable(dynamodb, withSnapshotsTable)]);
      const outcomes: RecordOutcome[] = [];
      await deliverInBatches(processorFor(inOrderTable, outcomes), history, [1]);

      const processor = processorFor(withSnapshotsTable, outcomes, undefined, readParentsFirst);
      // Each sweep runs while the deliveries after its point are applied.
      const sweeps = await deliverWithSnapshots(run, processor, {
        documentClient,
        tableName: withSnapshotsTable,
        clerk: clerkApi.clerk,
        clerkState,
        settings: { pageSize, overlap: Math.floor(pageSize / 2) },
      });
      for (const swept of sweeps) {
        expect(swept.failures).toEqual([]);
        expect(swept.final.phase).toBe('done');
      }

      expect(outcomes.filter((outcome) => outcome.result === 'failed' || outcome.result === 'dead-lettered')).toEqual([]);
      const expected = await readComparableTable(documentClient, inOrderTable);
      expect(await readComparableTable(documentClient, withSnapshotsTable)).toEqual(expected);
      expectNoOrphans(expected);
    }),
    SNAPSHOT_RUNS.parameters,
  );
  if (!SNAPSHOT_RUNS.replay) expect(runs).toBe(SNAPSHOT_RUNS.numRuns);
}, SNAPSHOT_RUNS.timeoutMs);
