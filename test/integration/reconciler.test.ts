import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { captureOutput, type EmfDocument } from '../support/capture-emf';
import { coldStart } from '../support/cold-start';
import { createEmfPublisher } from '../../lambdas/shared/metric-groups';
import { RECONCILER_METRICS, SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { PROCESSOR_DEFAULTS } from '../../lambdas/processor/processor-config';
import { type ReconcileInput, type ReconcileOutput, reconcileInvocation } from '../../lambdas/reconciler/reconcile-invocation';
import { RECONCILER_ENV } from '../../lambdas/reconciler/reconciler-config';
import { STATE_TABLE_KEY, sweepStateTable } from '../../lambdas/reconciler/sweep-state-table';
import { type Clock, SYSTEM_CLOCK } from '../../lambdas/reconciler/token-bucket';
import { startSecretsManagerStub } from '../support/secrets-manager-stub';
import { createTable } from '../../local/create-resources';
import { liveEntities, TEST_SECRET_KEY, TEST_SWEEP, useClerkInstance } from '../support/backfill-fixture';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

/*
 * The scheduled sweep's Lambda: each invocation takes the lease, resumes the checkpoint, works
 * until shortly before its timeout and says whether the sweep is done, as the Step Functions loop
 * drives it; a second sweep finds the lease held and ends at once.
 */

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const instance = useClerkInstance({ users: 90, organizations: 4, membershipsPerUser: 1, tag: 'reconciler' }, { dynamodb, documentClient, sqs });
const ENTITIES = 90 + 4 + 90;

async function stateTable(): Promise<string> {
  const tableName = uniqueName('reconcile-state');
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: STATE_TABLE_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: STATE_TABLE_KEY, KeyType: 'HASH' }],
    }),
  );
  return tableName;
}

/**
 * A clock that jumps five minutes at every checkpoint: a 15-minute invocation (which stops
 * starting pages two minutes before its end) gets through about three pages.
 */
function jumpingClock(): Clock & { jump(): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, sleep: SYSTEM_CLOCK.sleep, jump: () => void (offset += 5 * 60_000) };
}

function invoker(tableName: string, stateTableName: string, clock: Clock & { jump(): void }) {
  const state = sweepStateTable(documentClient, stateTableName);
  const logger = new Logger({ serviceName: SERVICE_NAMES.reconciler, logLevel: 'SILENT' });
  return (input: ReconcileInput) =>
    captureOutput(() =>
      reconcileInvocation(
        {
          state: { ...state, save: async (...args) => (await state.save(...args), clock.jump()) },
          sweepDeps: async () => ({ clerk: instance.clerk, table: { documentClient, tableName, tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays } }),
          settings: { ...TEST_SWEEP, prune: true },
          clock,
          remainingTimeMs: () => 15 * 60_000,
          logger,
          metrics: createEmfPublisher({ serviceName: SERVICE_NAMES.reconciler, namespace: 'ClerkWebhookSync/Test' }),
        },
        input,
      ),
    );
}

/** Invokes as the Step Functions loop does, until the sweep says it is done. */
async function untilDone(invoke: ReturnType<typeof invoker>, owner: string): Promise<{ outputs: ReconcileOutput[]; metrics: EmfDocument[] }> {
  const outputs: ReconcileOutput[] = [];
  const metrics: EmfDocument[] = [];
  for (let output: ReconcileOutput | undefined; output?.done !== true; ) {
    if (outputs.length > 50) throw new Error('the loop does not end');
    const { result, emf } = await invoke({ owner });
    outputs.push((output = result));
    metrics.push(...emf);
  }
  return { outputs, metrics };
}

const metricSum = (documents: EmfDocument[], name: string) =>
  documents.reduce((sum, document) => sum + (typeof document[name] === 'number' ? (document[name] as number) : 0), 0);

it('continues across invocations from the checkpoint until the sweep is done, and reports what it changed', async () => {
  const tableName = uniqueName('reconcile');
  await createTable(dynamodb, tableName);
  const stateTableName = await stateTable();
  const clock = jumpingClock();
  const invoke = invoker(tableName, stateTableName, clock);

  const { outputs, metrics } = await untilDone(invoke, 'execution-1');
  expect(outputs.length).toBeGreaterThan(2);
  expect(outputs.slice(0, -1).every((output) => output.done === false)).toBe(true);
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);

  // One EMF document per invocation, in the pipeline's namespace, with the service dimension.
  expect(metrics).toHaveLength(outputs.length);
  expect(metrics[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'ClerkWebhookSync/Test', Dimensions: [['service']] });
  expect(metricSum(metrics, RECONCILER_METRICS.created)).toBe(ENTITIES);
  expect(metricSum(metrics, RECONCILER_METRICS.updated) + metricSum(metrics, RECONCILER_METRICS.pruned)).toBe(0);
  // The whole sweep's drift, once, from the invocation that completed it: what the alarm watches.
  expect(metrics.map((document) => document[RECONCILER_METRICS.sweepDrift])).toEqual([...outputs.slice(1).map(() => undefined), ENTITIES]);

  const { Item } = await documentClient.send(new GetCommand({ TableName: stateTableName, Key: { [STATE_TABLE_KEY]: 'sweep' } }));
  expect(Item).not.toHaveProperty('checkpoint');
  expect(Item).not.toHaveProperty('owner');
  expect(Item!.lastSweep).toMatchObject({ sweepId: 'execution-1', phase: 'done', counts: { created: ENTITIES, checked: ENTITIES } });

  // The next day's sweep: nothing changed, nothing written, zero drift published.
  const next = await untilDone(invoke, 'execution-2');
  expect(next.outputs.at(-1)).toEqual({ done: true });
  expect(metricSum(next.metrics, RECONCILER_METRICS.created)).toBe(0);
  expect(metricSum(next.metrics, RECONCILER_METRICS.unchanged)).toBe(ENTITIES);
  expect(next.metrics.at(-1)![RECONCILER_METRICS.sweepDrift]).toBe(0);
});

it('never runs two sweeps at once: a second execution ends at once, and resumes the first one\'s work once its lease has expired', async () => {
  const tableName = uniqueName('reconcile-lease');
  await createTable(dynamodb, tableName);
  const stateTableName = await stateTable();
  const clock = jumpingClock();
  const invoke = invoker(tableName, stateTableName, clock);

  const first = await invoke({ owner: 'execution-a' });
  expect(first.result.done).toBe(false);
  const requests = instance.server.requests.length;
  const second = await invoke({ owner: 'execution-b' });
  expect(second.result).toEqual({ done: true, skipped: true });
  expect(instance.server.requests.length).toBe(requests);

  // Execution a died; 20 minutes after its last checkpoint its lease is free, and b picks up its sweep.
  for (let jump = 0; jump < 4; jump += 1) clock.jump();
  await untilDone(invoke, 'execution-b');
  const { Item } = await documentClient.send(new GetCommand({ TableName: stateTableName, Key: { [STATE_TABLE_KEY]: 'sweep' } }));
  expect(Item!.lastSweep).toMatchObject({ sweepId: 'execution-a', counts: { created: ENTITIES } });
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
});

it('runs as the Lambda entry point: configuration from the environment, the key from Secrets Manager', async () => {
  const tableName = uniqueName('reconcile-entry');
  await createTable(dynamodb, tableName);
  const stateTableName = await stateTable();
  const secrets = await startSecretsManagerStub(TEST_SECRET_KEY);
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      [RECONCILER_ENV.tableName]: tableName,
      [RECONCILER_ENV.stateTableName]: stateTableName,
      [RECONCILER_ENV.secretKeySecretId]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-secret-key-AbCdEf',
      [RECONCILER_ENV.clerkApiUrl]: instance.server.url,
      [RECONCILER_ENV.prune]: 'true',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.reconciler,
      POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Entry',
      AWS_ENDPOINT_URL_DYNAMODB: process.env.DYNAMODB_ENDPOINT,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    });
    const { handler } = coldStart(() => require('../../lambdas/reconciler/index')) as {
      handler: (event: ReconcileInput, context: Context) => Promise<ReconcileOutput>;
    };
    const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'reconciler', awsRequestId: 'req-1' } as unknown as Context;
    const { result, emf, logs } = await captureOutput(() => handler({ owner: 'scheduled-1' }, context));
    expect(result).toEqual({ done: true });
    expect(secrets.calls()).toBe(1);
    expect(emf[0]).toMatchObject({ service: SERVICE_NAMES.reconciler, [RECONCILER_METRICS.created]: ENTITIES });
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('ClerkWebhookSync/Entry');
    expect(logs.map((line) => line.message)).toEqual(expect.arrayContaining(['sweep started', 'sweep done: it repaired drift']));
    expect(JSON.stringify(logs)).not.toContain(TEST_SECRET_KEY);
    expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
  } finally {
    process.env = saved;
    await secrets.stop();
  }
});
