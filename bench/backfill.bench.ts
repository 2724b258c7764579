import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PROCESSOR_DEFAULTS } from '../lambdas/processor/processor-config';
import { clerkSourceFor } from '../lambdas/reconciler/clerk-source';
import { CLERK_RATE_LIMITS } from '../lambdas/reconciler/clerk-rate-limits';
import { RECONCILER_DEFAULTS } from '../lambdas/reconciler/reconciler-config';
import { overlapFor, runSweep, SWEEP_DEFAULTS, type SweepSettings } from '../lambdas/reconciler/run-sweep';
import { newSweep, type SweepCheckpoint, type SweepCounts } from '../lambdas/reconciler/sweep-checkpoint';
import { SYSTEM_CLOCK } from '../lambdas/reconciler/token-bucket';
import { RECONCILE_DEFAULTS } from '../lib/constructs/reconciliation/reconcile-defaults';
import { createTable } from '../local/create-resources';
import { startClerkApiServer } from '../test/clerk-api/clerk-api-server';
import { ClerkStore } from '../test/clerk-api/clerk-store';
import { seededHistory } from '../test/clerk-api/seeded-history';
import { type CapacityTally, meterCapacity, totalRequests } from './capacity-meter';
import { PRICES } from './cost';
import { round, type Spread, spreadOf } from './stats';
import { nowMs } from './timing';

/**
 * Backfill and reconciliation on DynamoDB Local and the local Clerk Backend API (the real
 * `@clerk/backend` SDK over HTTP, no rate limit): a first sweep into an empty table, a second
 * sweep over the unchanged instance with prune, entities per second and capacity units per
 * entity, each phase apart. Then a model of a full sweep of 1,000,000 users at Clerk's production
 * rate limit: requests, duration, Lambda time, DynamoDB units, Step Functions transitions, priced
 * with cost.ts's dated price table.
 */

export interface BackfillBenchOptions {
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly rounds: number;
  readonly users: number;
  readonly organizations: number;
  readonly membershipsPerUser: number;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SECRET_KEY = 'sk_live_bench';
const PHASES = ['users', 'organizations', 'memberships', 'prune'] as const;
type Phase = (typeof PHASES)[number];

export interface PhaseFigures {
  readonly entities: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  readonly readUnits: number;
  /** DynamoDB requests (every operation). */
  readonly tableRequests: number;
  /** Clerk requests. */
  readonly requests: number;
}

export interface SweepFigures {
  readonly seconds: number;
  readonly entitiesPerSecond: number;
  readonly counts: SweepCounts;
  readonly byPhase: Partial<Record<Phase, PhaseFigures>>;
  readonly writeUnitsPerEntity: number;
  readonly readUnitsPerEntity: number;
  readonly clerkRequests: number;
}

export interface BackfillBenchResult {
  readonly entities: { readonly users: number; readonly organizations: number; readonly memberships: number };
  readonly first: SweepFigures;
  readonly rerun: SweepFigures;
  readonly firstEntitiesPerSecond: Spread;
  readonly rerunEntitiesPerSecond: Spread;
  readonly model: SweepModel;
}

/** One sweep, metered per phase: the tally is read when a phase's last page is done. */
async function meteredSweep(
  dynamoDbEndpoint: string,
  region: string,
  tableName: string,
  apiUrl: string,
  settings: SweepSettings,
): Promise<SweepFigures> {
  const client = new DynamoDBClient({ endpoint: dynamoDbEndpoint, region, credentials: CREDENTIALS });
  const meter = meterCapacity(client);
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // No limit here: the bench measures what the table side sustains; the model applies Clerk's.
  const clerk = clerkSourceFor({ secretKey: SECRET_KEY, apiUrl, requestsPerSecond: 100_000 }, { clock: SYSTEM_CLOCK });
  const byPhase: Partial<Record<Phase, PhaseFigures>> = {};
  let previous = { tally: cloneTally(meter.tally()), counts: newSweep('x', 0).counts, requests: 0 };
  const started = nowMs();
  const final: SweepCheckpoint = await runSweep(
    {
      clerk,
      table: { documentClient, tableName, tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays },
      clock: SYSTEM_CLOCK,
      saveCheckpoint: async () => undefined,
      onPage: ({ checkpoint, phase }) => {
        if (checkpoint.phase === phase || phase === 'done') return;
        const tally = meter.tally();
        const counts = checkpoint.counts;
        byPhase[phase as Phase] = {
          entities: phase === 'prune' ? counts.checked - previous.counts.checked : counts.listed - previous.counts.listed,
          writeUnits: tally.writeUnits - previous.tally.writeUnits,
          indexWriteUnits: tally.indexWriteUnits - previous.tally.indexWriteUnits,
          readUnits: tally.readUnits - previous.tally.readUnits,
          tableRequests: totalRequests(tally) - totalRequests(previous.tally),
          requests: clerk.requests() - previous.requests,
        };
        previous = { tally: cloneTally(tally), counts, requests: clerk.requests() };
      },
    },
    settings,
    newSweep('bench', Date.now()),
  );
  const seconds = (nowMs() - started) / 1000;
  const tally = meter.tally();
  client.destroy();
  const entities = final.counts.listed;
  return {
    seconds,
    entitiesPerSecond: entities / seconds,
    counts: final.counts,
    byPhase,
    writeUnitsPerEntity: tally.writeUnits / entities,
    readUnitsPerEntity: tally.readUnits / entities,
    clerkRequests: clerk.requests(),
  };
}

function cloneTally(tally: CapacityTally): CapacityTally {
  return { ...tally, requests: { ...tally.requests }, writeLog: [] };
}

export async function benchBackfill(options: BackfillBenchOptions): Promise<BackfillBenchResult> {
  const history = seededHistory({
    users: options.users,
    organizations: options.organizations,
    membershipsPerUser: options.membershipsPerUser,
    tag: 'bench',
    // A bulk import: a few users per millisecond, so pages end inside a millisecond.
    usersPerMillisecond: 3,
  });
  const server = await startClerkApiServer({ store: ClerkStore.after(history), secretKey: SECRET_KEY });
  const admin = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: CREDENTIALS });
  const settings: SweepSettings = { ...SWEEP_DEFAULTS, overlap: overlapFor(SWEEP_DEFAULTS.pageSize), prune: false, dryRun: false };
  const firsts: SweepFigures[] = [];
  const reruns: SweepFigures[] = [];
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      const tableName = `bench-backfill-${round}-${Date.now()}`;
      await createTable(admin, tableName);
      firsts.push(await meteredSweep(options.dynamoDbEndpoint, options.region, tableName, server.url, settings));
      reruns.push(await meteredSweep(options.dynamoDbEndpoint, options.region, tableName, server.url, { ...settings, prune: true }));
    }
  } finally {
    admin.destroy();
    await server.close();
  }
  const medianRun = (runs: SweepFigures[]) => [...runs].sort((a, b) => a.entitiesPerSecond - b.entitiesPerSecond)[Math.floor(runs.length / 2)]!;
  const first = medianRun(firsts);
  const rerun = medianRun(reruns);
  const entities = {
    users: options.users,
    organizations: options.organizations,
    memberships: options.users * Math.min(options.membershipsPerUser, options.organizations),
  };
  return {
    entities,
    first,
    rerun,
    firstEntitiesPerSecond: spreadOf(firsts.map((run) => run.entitiesPerSecond)),
    rerunEntitiesPerSecond: spreadOf(reruns.map((run) => run.entitiesPerSecond)),
    model: modelMillionUsers(first, rerun),
  };
}

// ---- The model -----------------------------------------------------------------------------

/** The instance the model sweeps: stated, not measured (Clerk says nothing about a typical shape). */
export const MODEL_INSTANCE = { users: 1_000_000, organizations: 100_000, memberships: 1_000_000 } as const;

/**
 * DynamoDB's time per request from a Lambda function in the same region: AWS quotes single-digit
 * milliseconds; 10 ms is a round, cautious figure. DynamoDB Local is far slower (above), so its
 * throughput is not the model's.
 */
export const MODEL_TABLE_REQUEST_MS = 10;

/**
 * What AWS charges a read of a key, found or not (eventually consistent BatchGetItem): DynamoDB
 * Local reports nothing for a key it does not find.
 */
const MIN_READ_UNITS_PER_KEY = 0.5;

export interface SweepCase {
  readonly name: string;
  readonly requests: number;
  /** Clerk's limit allows this many per second (production, 1,000 per 10 s). */
  readonly limitSeconds: number;
  /** At the sweep's default rate (80% of the limit). */
  readonly defaultRateSeconds: number;
  /** The table side: measured requests per entity, MODEL_TABLE_REQUEST_MS each, SWEEP_DEFAULTS.concurrency at once. */
  readonly tableSeconds: number;
  /** The larger of the two: pages are read while the previous one is written. */
  readonly seconds: number;
  readonly invocations: number;
  readonly lambdaGbSeconds: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly transitions: number;
  readonly lines: readonly { readonly item: string; readonly usd: number }[];
  readonly totalUsd: number;
}

export interface SweepModel {
  readonly instance: typeof MODEL_INSTANCE;
  readonly requestsPerSecondAtLimit: number;
  readonly defaultRequestsPerSecond: number;
  readonly tableRequestMs: number;
  readonly concurrency: number;
  readonly firstBackfill: SweepCase;
  readonly dailyReconciliation: SweepCase;
}

/** List pages of a phase: Clerk's 500 per page, consecutive pages overlapping. */
function listPages(entities: number): number {
  const { pageSize } = SWEEP_DEFAULTS;
  const overlap = overlapFor(pageSize);
  return entities <= pageSize ? 1 : 1 + Math.ceil((entities - pageSize) / (pageSize - overlap));
}

function modelMillionUsers(first: SweepFigures, rerun: SweepFigures): SweepModel {
  const limit = CLERK_RATE_LIMITS.production;
  const atLimit = limit.requests / limit.perSeconds;
  const defaultRate = atLimit * 0.8;
  const instance = MODEL_INSTANCE;
  const byPhase: Record<Exclude<Phase, 'prune'>, number> = { users: instance.users, organizations: instance.organizations, memberships: instance.memberships };
  // The SDK's user list also asks /users/count: two requests a page.
  const listRequests = 2 * listPages(instance.users) + listPages(instance.organizations) + listPages(instance.memberships);
  // Prune: users and organizations a hundred ids a request (users two, as above); memberships one request per organization (up to 100 members).
  const pruneRequests =
    2 * Math.ceil(instance.users / 100) + Math.ceil(instance.organizations / 100) + Math.max(instance.organizations, Math.ceil(instance.memberships / 100));
  const live = instance.users + instance.organizations + instance.memberships;

  const sweepCase = (name: string, figures: SweepFigures, requests: number, withPrune: boolean): SweepCase => {
    let writeUnits = 0;
    let readUnits = 0;
    let tableRequests = 0;
    for (const [phase, entities] of Object.entries(byPhase) as [Exclude<Phase, 'prune'>, number][]) {
      const measured = figures.byPhase[phase];
      if (measured === undefined || measured.entities === 0) continue;
      writeUnits += entities * (measured.writeUnits / measured.entities);
      readUnits += entities * Math.max(MIN_READ_UNITS_PER_KEY, measured.readUnits / measured.entities);
      tableRequests += entities * (measured.tableRequests / measured.entities);
    }
    const prune = figures.byPhase.prune;
    if (withPrune && prune !== undefined && prune.entities > 0) {
      readUnits += live * (prune.readUnits / prune.entities);
      writeUnits += live * (prune.writeUnits / prune.entities);
      tableRequests += live * (prune.tableRequests / prune.entities);
    }
    const limitSeconds = requests / atLimit;
    const defaultRateSeconds = requests / defaultRate;
    const tableSeconds = (tableRequests * MODEL_TABLE_REQUEST_MS) / 1000 / SWEEP_DEFAULTS.concurrency;
    const seconds = Math.max(defaultRateSeconds, tableSeconds);
    const workPerInvocation = (RECONCILER_DEFAULTS.timeoutSeconds * 1000 - RECONCILER_DEFAULTS.stopBeforeTimeoutMs) / 1000;
    const invocations = Math.ceil(seconds / workPerInvocation);
    const lambdaGbSeconds = seconds * (RECONCILE_DEFAULTS.memorySize / 1024);
    // Per invocation the task and the choice; the start and the final succeed once.
    const transitions = invocations * 2 + 2;
    const lines = [
      { item: 'Lambda duration (arm64, 512 MB)', usd: lambdaGbSeconds * PRICES.lambdaArmPerGbSecond },
      { item: 'Lambda requests', usd: (invocations / 1e6) * PRICES.lambdaPerMillionRequests },
      { item: 'DynamoDB writes', usd: (writeUnits / 1e6) * PRICES.dynamoDbPerMillionWriteUnits },
      { item: 'DynamoDB reads', usd: (readUnits / 1e6) * PRICES.dynamoDbPerMillionReadUnits },
      { item: 'Step Functions transitions', usd: (transitions / 1000) * PRICES.stepFunctionsPerThousandTransitions },
      { item: 'Secrets Manager GetSecretValue', usd: (invocations / 10_000) * PRICES.secretsManagerPerTenThousandCalls },
    ];
    return {
      name,
      requests,
      limitSeconds,
      defaultRateSeconds,
      tableSeconds,
      seconds,
      invocations,
      lambdaGbSeconds,
      writeUnits,
      readUnits,
      transitions,
      lines,
      totalUsd: lines.reduce((sum, line) => sum + line.usd, 0),
    };
  };
  return {
    instance,
    requestsPerSecondAtLimit: atLimit,
    defaultRequestsPerSecond: defaultRate,
    tableRequestMs: MODEL_TABLE_REQUEST_MS,
    concurrency: SWEEP_DEFAULTS.concurrency,
    firstBackfill: sweepCase('first backfill (empty table, no prune)', first, listRequests, false),
    dailyReconciliation: sweepCase('daily reconciliation (unchanged instance, with prune)', rerun, listRequests + pruneRequests, true),
  };
}

// ---- Markdown ------------------------------------------------------------------------------

const n = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const minutes = (seconds: number): string => `${n(seconds / 60, 1)} min`;

export function renderBackfillMarkdown(result: BackfillBenchResult, runs: number): string {
  const { first, rerun, model, entities } = result;
  const phaseRow = (label: string, figures: SweepFigures, phase: Phase) => {
    const p = figures.byPhase[phase];
    if (p === undefined || p.entities === 0) return undefined;
    return `| ${label} | ${phase} | ${n(p.entities)} | ${n(p.writeUnits / p.entities, 2)} | ${n(p.indexWriteUnits / p.entities, 2)} | ${n(p.readUnits / p.entities, 2)} | ${n(p.tableRequests / p.entities, 2)} | ${n(p.requests)} |`;
  };
  const rows = [
    ...(['users', 'organizations', 'memberships'] as const).map((phase) => phaseRow('first sweep', first, phase)),
    ...PHASES.map((phase) => phaseRow('re-run with prune', rerun, phase)),
  ].filter((row): row is string => row !== undefined);
  const cases = [model.firstBackfill, model.dailyReconciliation];
  return [
    '### Backfill and reconciliation',
    '',
    `${n(entities.users)} users, ${n(entities.organizations)} organizations and ${n(entities.memberships)} memberships served by the local Clerk Backend API ` +
      `(test/clerk-api, the real \`@clerk/backend\` SDK over HTTP, no rate limit) and swept into DynamoDB Local with the defaults ` +
      `(pages of ${SWEEP_DEFAULTS.pageSize}, ${SWEEP_DEFAULTS.concurrency} entities applied at once); median of ${runs} round(s).`,
    '',
    '| sweep | entities per second | write units per entity | read units per entity | Clerk requests |',
    '|---|---|---|---|---|',
    `| first sweep (empty table) | ${n(result.firstEntitiesPerSecond.median, 0)} (${n(result.firstEntitiesPerSecond.min, 0)}–${n(result.firstEntitiesPerSecond.max, 0)}) | ${n(first.writeUnitsPerEntity, 2)} | ${n(first.readUnitsPerEntity, 2)} | ${n(first.clerkRequests)} |`,
    `| re-run with prune (nothing changed) | ${n(result.rerunEntitiesPerSecond.median, 0)} (${n(result.rerunEntitiesPerSecond.min, 0)}–${n(result.rerunEntitiesPerSecond.max, 0)}) | ${n(rerun.writeUnitsPerEntity, 2)} | ${n(rerun.readUnitsPerEntity, 2)} | ${n(rerun.clerkRequests)} |`,
    '',
    'By phase (units per entity; the re-run\'s prune phase counts the live items it checked):',
    '',
    '| sweep | phase | entities | write units | of them index | read units | DynamoDB requests | Clerk requests |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `**A full sweep of ${n(model.instance.users)} users** (with ${n(model.instance.organizations)} organizations and ${n(model.instance.memberships)} memberships, an assumed shape; sessions not counted), ` +
      `at Clerk's production limit of ${n(model.requestsPerSecondAtLimit)} requests per second and at the sweep's default of ${n(model.defaultRequestsPerSecond)}. ` +
      `Duration is the larger of the request time at the default rate and the table time: the DynamoDB requests per entity measured above, ${model.tableRequestMs} ms each (an assumed round trip in AWS; DynamoDB Local is far slower), ${model.concurrency} at once (pages are read while the previous one is written). ` +
      'Read units count at least 0.5 per key read, found or not, as AWS charges (DynamoDB Local reports nothing for a missing key). ' +
      `Lambda runs the whole time at ${RECONCILE_DEFAULTS.memorySize} MB, in invocations of up to 13 minutes. Prices: bench/cost.ts, ${PRICES.asOf}, ${PRICES.region}.`,
    '',
    '| case | Clerk requests | at the limit | at the default rate | table time | duration | invocations | write units | read units | cost |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...cases.map(
      (c) =>
        `| ${c.name} | ${n(c.requests)} | ${minutes(c.limitSeconds)} | ${minutes(c.defaultRateSeconds)} | ${minutes(c.tableSeconds)} | ${minutes(c.seconds)} | ${n(c.invocations)} | ${n(c.writeUnits)} | ${n(c.readUnits)} | $${n(c.totalUsd, 2)} |`,
    ),
    '',
    ...cases.map((c) => `${c.name}: ${c.lines.map((line) => `${line.item} $${n(line.usd, 3)}`).join(', ')}.`),
  ].join('\n');
}

/** results.json keeps the figures, rounded. */
export function backfillResultForJson(result: BackfillBenchResult): unknown {
  return JSON.parse(JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? round(value, 3) : value)));
}
