import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { SweepFailure } from '../../lambdas/reconciler/apply-snapshots';
import { clerkSourceFor, type ClerkSource } from '../../lambdas/reconciler/clerk-source';
import { runSweep, type SweepSettings } from '../../lambdas/reconciler/run-sweep';
import { newSweep, type SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';
import { type Clock, SYSTEM_CLOCK } from '../../lambdas/reconciler/token-bucket';
import { PROCESSOR_DEFAULTS } from '../../lambdas/processor/processor-config';
import { createQueues, createTable } from '../../local/create-resources';
import { type ClerkApiServer, startClerkApiServer } from '../clerk-api/clerk-api-server';
import { ClerkStore } from '../clerk-api/clerk-store';
import { type SeedOptions, seededHistory } from '../clerk-api/seeded-history';
import { deliverInBatches } from './deliver-in-batches';
import { uniqueName } from './local-clients';
import { type HistoryEvent, readComparableTable, type SnapshotScenario } from './random-history';

export const TEST_SECRET_KEY = 'sk_test_backfill';

/** Small pages, so a few hundred entities make many pages (and page boundaries). */
export const TEST_SWEEP: SweepSettings = { prune: false, dryRun: false, pageSize: 40, overlap: 5, concurrency: 8 };

/** Clerk's API serving `store`, and a source for it: fast rate, short retries. */
export async function clerkFor(store: ClerkStore, options: { requestsPerSecond?: number; clock?: Clock } = {}): Promise<{ server: ClerkApiServer; clerk: ClerkSource }> {
  const server = await startClerkApiServer({ store, secretKey: TEST_SECRET_KEY });
  const clerk = clerkSourceFor(
    { secretKey: TEST_SECRET_KEY, apiUrl: server.url, requestsPerSecond: options.requestsPerSecond ?? 2_000 },
    { clock: options.clock ?? SYSTEM_CLOCK, retryPolicy: { maxAttempts: 4, maxRateLimitedAttempts: 6, baseDelayMs: 20, maxDelayMs: 200 } },
  );
  return { server, clerk };
}

export interface SweepRun {
  readonly final: SweepCheckpoint;
  readonly saved: SweepCheckpoint[];
  readonly failures: SweepFailure[];
}

/** One sweep from `from` (a fresh one by default) to the end, every checkpoint kept. */
export async function sweep(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  clerk: ClerkSource,
  { cascadeDeletesPerCall, ...settings }: Partial<SweepSettings> & { cascadeDeletesPerCall?: number } = {},
  from: SweepCheckpoint = newSweep(uniqueName('sweep'), Date.now()),
  onSave?: (checkpoint: SweepCheckpoint, saved: readonly SweepCheckpoint[]) => void,
): Promise<SweepRun> {
  const saved: SweepCheckpoint[] = [];
  const failures: SweepFailure[] = [];
  const final = await runSweep(
    {
      clerk,
      table: { documentClient, tableName, tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays, ...(cascadeDeletesPerCall === undefined ? {} : { cascadeDeletesPerCall }) },
      clock: SYSTEM_CLOCK,
      saveCheckpoint: async (checkpoint) => {
        saved.push(checkpoint);
        onSave?.(checkpoint, saved);
      },
      onFailure: (failure) => void failures.push(failure),
    },
    { ...TEST_SWEEP, ...settings },
    from,
  );
  return { final, saved, failures };
}

/** A fresh table that received `history` in order, one event per batch: what the webhooks alone make. */
export async function inOrderTable(
  dynamodb: DynamoDBClient,
  documentClient: DynamoDBDocumentClient,
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  history: readonly HistoryEvent[],
): Promise<string> {
  const tableName = uniqueName('in-order');
  await createTable(dynamodb, tableName);
  await deliverInOrder(documentClient, sqs, deadLetterQueueUrl, tableName, history);
  return tableName;
}

/** Delivers `events` in order to the processor writing `tableName` (ten at a time, one after the other). */
export async function deliverInOrder(
  documentClient: DynamoDBDocumentClient,
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  tableName: string,
  events: readonly HistoryEvent[],
  now: () => number = () => Date.UTC(2024, 5, 1),
): Promise<void> {
  const processor = createProcessorHandler({
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    // The reference order: every cascade whole in one receive, so nothing continues in a message.
    queueUrl: 'http://127.0.0.1:9/no-continuations',
    cascadeDeletesPerReceive: Number.MAX_SAFE_INTEGER,
    now,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  await deliverInBatches(processor, events, [10]);
}

/**
 * The items a sweep can know of: live users, organizations and memberships, without what only
 * sessions bring (`lastSeenAt`). Tombstones and sessions come from webhooks alone.
 */
export async function liveEntities(documentClient: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  return (await readComparableTable(documentClient, tableName))
    .filter((item) => item.type !== 'session' && item.deleted !== true)
    .map(({ lastSeenAt: _lastSeenAt, ...item }) => item);
}

export function storeOf(history: readonly HistoryEvent[], count?: number): ClerkStore {
  return ClerkStore.after(history, count);
}

export interface ClerkInstance {
  readonly history: readonly HistoryEvent[];
  /** Users, organizations and memberships Clerk holds at the end of the history. */
  readonly entities: number;
  readonly server: ClerkApiServer;
  readonly clerk: ClerkSource;
  /** The live entities in-order delivery of the history makes (`liveEntities`). */
  readonly expected: Record<string, unknown>[];
}

/**
 * For one test file: a Clerk instance grown by `seededHistory(seed)`, served by the local Backend
 * API, and what in-order delivery of its webhooks makes. Set up in `beforeAll`, closed in
 * `afterAll`; read the fields inside tests.
 */
export function useClerkInstance(
  seed: SeedOptions,
  clients: { readonly dynamodb: DynamoDBClient; readonly documentClient: DynamoDBDocumentClient; readonly sqs: SQSClient },
): ClerkInstance {
  const history = seededHistory(seed);
  const store = storeOf(history);
  // Filled in by beforeAll, before any test reads it.
  const instance: { -readonly [K in keyof ClerkInstance]?: ClerkInstance[K] } = {
    history,
    entities: store.users.size + store.organizations.size + store.memberships.size,
  };
  beforeAll(async () => {
    Object.assign(instance, await clerkFor(store));
    const { deadLetterQueueUrl } = await createQueues(clients.sqs, uniqueName(seed.tag ?? 'backfill'));
    instance.expected = await liveEntities(
      clients.documentClient,
      await inOrderTable(clients.dynamodb, clients.documentClient, clients.sqs, deadLetterQueueUrl, history),
    );
  });
  afterAll(async () => {
    instance.server?.setServerErrorRate(0);
    await instance.server?.close();
  });
  return instance as ClerkInstance;
}

/**
 * Delivers a scenario's deliveries to `processor` in its batches, and sweeps each snapshot (what
 * Clerk held after the history's first `takenAfter` events, loaded into `clerkState`, which
 * `clerk` serves) into `tableName` while the deliveries after its `appliedAfter` point are applied.
 */
export async function deliverWithSnapshots(
  run: SnapshotScenario,
  processor: Parameters<typeof deliverInBatches>[0],
  sweepInto: { documentClient: DynamoDBDocumentClient; tableName: string; clerk: ClerkSource; clerkState: ClerkStore; settings?: Partial<SweepSettings> },
): Promise<SweepRun[]> {
  const { deliveries, snapshots, batchSizes, inFlight } = run;
  const sweeps: SweepRun[] = [];
  const cuts = [0, ...snapshots.map((point) => point.appliedAfter), deliveries.length];
  for (let segment = 0; segment < cuts.length - 1; segment += 1) {
    const delivering = deliverInBatches(processor, deliveries.slice(cuts[segment], cuts[segment + 1]), batchSizes, inFlight);
    const point = snapshots[segment - 1];
    if (point === undefined) {
      await delivering;
      continue;
    }
    sweepInto.clerkState.load(ClerkStore.after(run.history, point.takenAfter));
    const [swept] = await Promise.all([sweep(sweepInto.documentClient, sweepInto.tableName, sweepInto.clerk, sweepInto.settings), delivering]);
    sweeps.push(swept);
  }
  return sweeps;
}
