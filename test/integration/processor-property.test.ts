import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { createQueues, createTable } from '../../local/create-resources';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import {
  deliveriesArbitrary,
  describeEvents,
  historyArbitrary,
  historyFeatures,
  readComparableTable,
  sqsEventOf,
  sqsRecordOf,
  type HistoryEvent,
  type HistoryFeatures,
} from '../support/random-history';

/*
 * SPEC §5: for any valid history, any permutation with any duplicates yields the same table
 * (bookkeeping aside) as delivering the history once, in order. Both sides run the real
 * handler against DynamoDB Local; the shuffled side in SQS batches of up to 10 records,
 * processed concurrently as in Lambda.
 */

const RUNS = 25;
const dynamodb: DynamoDBClient = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs: SQSClient = localSqs();
let deadLetterQueueUrl: string;

beforeAll(async () => {
  ({ deadLetterQueueUrl } = await createQueues(sqs, uniqueName('processor-property')));
});

function processorFor(tableName: string, outcomes: RecordOutcome[]) {
  return createProcessorHandler({
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    now: () => Date.UTC(2024, 5, 1),
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
}

async function deliverInBatches(
  handler: ReturnType<typeof createProcessorHandler>,
  deliveries: readonly HistoryEvent[],
  batchSizes: readonly number[],
): Promise<void> {
  let start = 0;
  for (let batch = 0; start < deliveries.length; batch += 1) {
    const size = batchSizes[batch % batchSizes.length]!;
    const response = await handler(sqsEventOf(deliveries.slice(start, start + size).map(sqsRecordOf)));
    expect(response.batchItemFailures).toEqual([]);
    start += size;
  }
}

/** Structural consequences of SPEC §4 that both tables must show. */
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
  const totals: Record<keyof HistoryFeatures, number> = {
    userDeletions: 0,
    organizationDeletions: 0,
    membershipDeletions: 0,
    rejoins: 0,
    sessionEnds: 0,
    userUpdates: 0,
  };
  let runsWithDuplicates = 0;

  const scenario = historyArbitrary({ minCommands: 10, maxCommands: 35 })
    .chain((history) =>
      fc.record({
        history: fc.constant(history),
        deliveries: deliveriesArbitrary(history),
        batchSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 8 }),
      }),
    )
    .map((run) =>
      Object.assign(run, {
        [fc.toStringMethod]: () =>
          `history:\n${describeEvents(run.history)}\ndeliveries (batches ${run.batchSizes.join(',')}):\n${describeEvents(run.deliveries)}`,
      }),
    );

  await fc.assert(
    fc.asyncProperty(scenario, async ({ history, deliveries, batchSizes }) => {
      const features = historyFeatures(history);
      for (const key of Object.keys(totals) as (keyof HistoryFeatures)[]) totals[key] += features[key];
      if (deliveries.length > history.length) runsWithDuplicates += 1;

      const inOrderTable = uniqueName('in-order');
      const shuffledTable = uniqueName('shuffled');
      await Promise.all([createTable(dynamodb, inOrderTable), createTable(dynamodb, shuffledTable)]);
      const outcomes: RecordOutcome[] = [];

      const inOrder = processorFor(inOrderTable, outcomes);
      await deliverInBatches(inOrder, history, [1]);
      await deliverInBatches(processorFor(shuffledTable, outcomes), deliveries, batchSizes);

      expect(outcomes.filter((outcome) => outcome.result === 'failed' || outcome.result === 'dead-lettered')).toEqual([]);
      const expected = await readComparableTable(documentClient, inOrderTable);
      expect(await readComparableTable(documentClient, shuffledTable)).toEqual(expected);
      expectNoOrphans(expected);
    }),
    // A failure's shrinking can outlast the runs themselves: stop it in time to report the counterexample.
    { numRuns: RUNS, interruptAfterTimeLimit: 60_000 },
  );

  // The generator must actually reach the cases that break naive implementations (loose
  // bounds: over 25 runs the totals are far higher, but they are random).
  const minimums: Record<keyof HistoryFeatures, number> = {
    userDeletions: 2,
    organizationDeletions: 1,
    membershipDeletions: 5,
    rejoins: 1,
    sessionEnds: 5,
    userUpdates: 10,
  };
  const shortfalls = (Object.keys(minimums) as (keyof HistoryFeatures)[]).filter((key) => totals[key] < minimums[key]);
  expect({ shortfalls, totals }).toEqual({ shortfalls: [], totals });
  expect(runsWithDuplicates).toBeGreaterThanOrEqual(RUNS / 2);
}, 120_000);
