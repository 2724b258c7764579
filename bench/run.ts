import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROCESSOR_ENV } from '../lambdas/processor/processor-config';
import { MODELLED_EVENT_TYPES } from '../lambdas/shared/clerk-events';
import { PIPELINE_DEFAULTS } from '../lib/pipeline-defaults';
import { createQueues, createTable } from '../local/create-resources';
import { startDynamoDbLocal, startSqsEmulator } from '../local/engines.mjs';
import { backfillResultForJson, type BackfillBenchResult, benchBackfill, renderBackfillMarkdown } from './backfill.bench';
import { withSourceMaps } from './bundle-variant';
import { benchColdStart, type ColdStartOptions } from './cold-start';
import {
  accessLogLineBytes,
  billedInitMs,
  billedMs,
  COLD_STARTS_PER_INVOCATION,
  type CostInputs,
  costPerMillion,
  type MeasuredFunction,
  platformLogBytesPerInvocation,
  PRICES,
} from './cost';
import { benchDeployedRuns, type DeployedRunsResult } from './deployed-runs';
import { CDK_OUT_CHANGE_EVENTS, type DeployedFunction, PROJECT_ROOT, readDeployedStack, synthesize } from './deployed-functions';
import { benchChangeEvents, type ChangeEventsBenchOptions, renderChangeEventsMarkdown } from './change-events.bench';
import { benchEndToEnd } from './e2e.bench';
import { describeMachine, loadAverage } from './machine';
import { benchMail, renderMailMarkdown } from './mail.bench';
import { newSigningSecret } from './payloads';
import { unmodelledShare } from './workload';
import { type BenchReport, type CostLever, type Goal, renderMarkdown, updateBenchmarksFile, updateBenchmarksSection } from './report';
import { benchProcessor, type ProcessorBenchResult } from './processor.bench';
import { startSecretsManagerStub } from './secrets-manager-stub';
import { round, roundSpread } from './stats';
import { nowMs } from './timing';
import { benchVerifierHandler } from './verifier-handler.bench';
import { benchVerification } from './verify.bench';

/**
 * `npm run bench`: speed and cost against the alternatives, in one run. Not part of `npm test`.
 * Prints a markdown table, writes bench/results.json and the generated part of BENCHMARKS.md.
 *   --quick          fewer repetitions, to check the bench itself: prints, writes nothing
 *   --skip-synth     reuse the bundles already in cdk.out instead of running `cdk synth`
 *   --only backfill  only the backfill section (DynamoDB Local alone, no synth); writes only its
 *                    part of results.json and BENCHMARKS.md
 *   --only change-events  only the change-events section: prints, writes nothing
 *   --only cold-start     only the cold start (ours vs Express + svix): prints, writes nothing
 */

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const RESULTS_PATH = path.join(__dirname, 'results.json');
const BENCHMARKS_PATH = path.join(PROJECT_ROOT, 'BENCHMARKS.md');

/** The volume volume-dependent prices (X-Ray sampling) are taken at: about 4 events a second on average. */
const EVENTS_PER_MONTH = 10_000_000;
const GOALS = { vsSvix: 4.5, vsFloor: 0.8, coldStartVsExpress: 0.7, verifierBundleKb: 250, costPerMillionUsd: 3 } as const;
/** Types whose event writes its own item and nothing else needs: the goal's "upserts" (every modelled type but the deletions). */
const UPSERTS = MODELLED_EVENT_TYPES.filter((type) => !type.endsWith('.deleted'));
/** Writes that are the event's own effect on entity items (docs/table.md): session.created also raises the user's lastSeenAt. */
const ENTITY_WRITES: Readonly<Record<string, number>> = { 'session.created': 2 };
/**
 * The entity floor of the goal's events, write units (of which on gsi1) for one ~1 KB item:
 * session.created writes the session and raises the user's lastSeenAt, neither of which gsi1
 * serves; a profile update writes the item and the index entry that serves it. A duplicate or a
 * stale delivery costs each attempted write's failed condition (DynamoDB charges 1 unit each).
 */
const ENTITY_FLOOR: Readonly<Record<string, Record<'applied' | 'duplicate' | 'stale', readonly [number, number]>>> = {
  'session.created': { applied: [2, 0], duplicate: [2, 0], stale: [2, 0] },
  'user.updated': { applied: [2, 1], duplicate: [1, 0], stale: [1, 0] },
  'organization.updated': { applied: [2, 1], duplicate: [1, 0], stale: [1, 0] },
};
/** Why a membership upsert writes one unit beyond its item: docs/table.md, "Bookkeeping attributes". */
const MEMBERSHIP_EXTRA_REASON =
  "the user's memberOrgIds registration, on every delivery, which user.deleted's strongly consistent cascade needs (docs/table.md); gsi1 no longer rewritten by it";

const BACKFILL_START = '<!-- bench:backfill:start (written by `npm run bench`) -->';
const BACKFILL_END = '<!-- bench:backfill:end -->';

function backfillSettings(quick: boolean) {
  return quick
    ? { rounds: 1, users: 1_000, organizations: 100, membershipsPerUser: 1 }
    : { rounds: 3, users: 3_000, organizations: 300, membershipsPerUser: 1 };
}

async function runBackfillSection(dynamoDbEndpoint: string, quick: boolean): Promise<{ result: BackfillBenchResult; markdown: string }> {
  const s = backfillSettings(quick);
  step(`backfill: ${s.users} users, ${s.organizations} organizations, ${s.rounds} round(s) on DynamoDB Local`);
  const machine = describeMachine(PROJECT_ROOT);
  const result = await benchBackfill({ dynamoDbEndpoint, region: REGION, ...s });
  const run =
    `Run ${machine.date} on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; load average (1/5/15 min) ` +
    `${machine.loadAverageStart.join(' / ')} at the start, ${loadAverage().join(' / ')} at the end; commit ${machine.commit}.`;
  return { result, markdown: `${renderBackfillMarkdown(result, s.rounds)}\n\n${run}` };
}

/** Writes the backfill section alone: its key of results.json, its part of BENCHMARKS.md. */
function writeBackfillSection(result: BackfillBenchResult, markdown: string): void {
  const current = JSON.parse(existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : '{}') as Record<string, unknown>;
  writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...current, backfill: backfillResultForJson(result) }, roundForJson, 2)}\n`);
  updateBenchmarksSection(BENCHMARKS_PATH, BACKFILL_START, BACKFILL_END, markdown);
}

/** `npm run bench -- --only backfill`: DynamoDB Local, the backfill section, nothing else. */
async function onlyBackfill(quick: boolean): Promise<void> {
  step('starting DynamoDB Local');
  const dynamoDb = await startDynamoDbLocal();
  try {
    const { result, markdown } = await runBackfillSection(dynamoDb.endpoint, quick);
    process.stdout.write(`${markdown}\n\n`);
    if (quick) {
      process.stdout.write('bench: quick run, results.json and BENCHMARKS.md left as they were\n');
      return;
    }
    writeBackfillSection(result, markdown);
    process.stdout.write(`bench: wrote the backfill section of ${path.relative(PROJECT_ROOT, RESULTS_PATH)} and BENCHMARKS.md\n`);
  } finally {
    await dynamoDb.stop();
  }
}

function settings(quick: boolean) {
  return quick
    ? { verifyRounds: 8, verifySliceMs: 30, handlerRounds: 4, handlerSliceMs: 150, coldStarts: 3, verifierEvents: 15, processorBatches: 4, processorRuns: 2, processorBatchesPerRun: 4, e2eRounds: 2, e2eEvents: 100, mailRounds: 1, mailUsers: 50, mailUnloadedUsers: 3, changeMixEvents: 200, changeInvocations: 20, changeUnloadedUsers: 3, changeBurstUsers: 50 }
    : { verifyRounds: 30, verifySliceMs: 40, handlerRounds: 10, handlerSliceMs: 200, coldStarts: 20, verifierEvents: 100, processorBatches: 30, processorRuns: 7, processorBatchesPerRun: 8, e2eRounds: 3, e2eEvents: 400, mailRounds: 2, mailUsers: 200, mailUnloadedUsers: 6, changeMixEvents: 800, changeInvocations: 60, changeUnloadedUsers: 10, changeBurstUsers: 200 };
}

type Settings = ReturnType<typeof settings>;

/** The deployed processor's READ_PARENTS_FIRST, as its template sets it. */
function readsParentsFirst(processor: DeployedFunction): boolean {
  return processor.literalEnvironment[PROCESSOR_ENV.readParentsFirst] === 'true';
}

function changeEventsOptions(s: Settings, engines: { dynamoDbEndpoint: string; sqsEndpoint: string }, workDir: string, stack: ReturnType<typeof readDeployedStack>): ChangeEventsBenchOptions {
  return {
    ...engines,
    region: REGION,
    workDir,
    publisher: stack.changeEventsPublisher,
    processorReadsParentsFirst: readsParentsFirst(stack.functions.processor),
    mixEvents: s.changeMixEvents,
    invocations: s.changeInvocations,
    unloadedUsers: s.changeUnloadedUsers,
    burstUsers: s.changeBurstUsers,
    senders: 8,
    eventsPerMonth: EVENTS_PER_MONTH,
  };
}

/**
 * Last resort if this process dies without stopping DynamoDB Local: its Java child must not
 * outlive it. Returns what takes the hook away again once the engine is stopped.
 */
function killJavaOnExit(dynamoDb: { readonly pid?: number }): () => void {
  const killJava = (): void => {
    try {
      if (dynamoDb.pid !== undefined) process.kill(dynamoDb.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killJava);
  return () => void process.off('exit', killJava);
}

/** The cold-start section: ours (and ours with source maps) against Express + svix, in turns. */
function coldStartOf(s: Settings, verifier: DeployedFunction, engines: Omit<ColdStartOptions, 'verifier' | 'variant' | 'repetitions'>) {
  return benchColdStart({ verifier, variant: withSourceMaps(verifier), ...engines, repetitions: s.coldStarts });
}

/** `--only cold-start`: the cold start alone, on an SQS emulator and a Secrets Manager stub of its own; prints, writes nothing. */
async function benchOnlyColdStart(s: Settings, stack: ReturnType<typeof readDeployedStack>): Promise<void> {
  step('cold start (alone): starting the SQS emulator and a Secrets Manager stub');
  const workDir = mkdtempSync(path.join(tmpdir(), 'clerk-webhook-bench-'));
  const sqsEngine = await startSqsEmulator({ region: REGION });
  const signingSecret = newSigningSecret();
  const stub = await startSecretsManagerStub(signingSecret);
  const sqs = new SQSClient({ endpoint: sqsEngine.endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    const queues = await createQueues(sqs, 'bench-cold-start-events');
    step('cold start: our bundle vs Express + svix');
    const coldStart = await coldStartOf(s, stack.functions.verifier, {
      workDir,
      queueUrl: queues.queueUrl,
      sqsEndpoint: sqsEngine.endpoint,
      secretsManagerEndpoint: stub.endpoint,
      signingSecret,
    });
    process.stdout.write(`${JSON.stringify(coldStart, roundForJson, 2)}\n`);
  } finally {
    sqs.destroy();
    await stub.stop();
    await sqsEngine.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `--only change-events`: the change-events section alone, on engines of its own; prints, writes nothing. */
async function benchOnlyChangeEvents(s: Settings, stack: ReturnType<typeof readDeployedStack>): Promise<void> {
  step('change events (alone): starting DynamoDB Local and the SQS emulator');
  const workDir = mkdtempSync(path.join(tmpdir(), 'clerk-webhook-bench-'));
  const [dynamoDb, sqsEngine] = await Promise.all([startDynamoDbLocal(), startSqsEmulator({ region: REGION })]);
  const forgetJava = killJavaOnExit(dynamoDb);
  try {
    const result = await benchChangeEvents(changeEventsOptions(s, { dynamoDbEndpoint: dynamoDb.endpoint, sqsEndpoint: sqsEngine.endpoint }, workDir, stack));
    process.stdout.write(`${renderChangeEventsMarkdown(result, PRICES.asOf, EVENTS_PER_MONTH)}\n\n${JSON.stringify(result, roundForJson, 2)}\n`);
  } finally {
    await Promise.allSettled([dynamoDb.stop(), sqsEngine.stop()]);
    forgetJava();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function step(message: string): void {
  process.stderr.write(`bench: ${message} (load ${loadAverage()[0]})\n`);
}

/** Write units beyond the event's own entity writes, per upsert type and phase (0 where the goal holds). */
function extraWriteUnits(scenarios: ProcessorBenchResult['scenarios']): Record<string, Record<string, number>> {
  const extra: Record<string, Record<string, number>> = {};
  for (const type of UPSERTS) {
    const phases = scenarios[type];
    if (!phases) continue;
    extra[type] = {};
    for (const phase of ['applied', 'duplicate', 'stale'] as const) {
      const cost = phases[phase].ours;
      const own = cost.writeLogUnits.slice(0, ENTITY_WRITES[type] ?? 1).reduce((a: number, b: number) => a + b, 0);
      extra[type]![phase] = cost.writeUnits - own;
    }
  }
  return extra;
}

/** results.json keeps three decimals: more would be noise. */
function roundForJson(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? round(value, 3) : value;
}

/**
 * What the cost would be with one setting changed, each computed from this run's measured counts:
 * settings outside the processor's and verifier's code, for whoever owns them to weigh.
 */
function costLevers(
  inputs: CostInputs,
  atInfo: DeployedRunsResult,
  processor: ProcessorBenchResult,
  functions: Record<'verifier' | 'processor', DeployedFunction>,
  totalUsd: number,
  /** The verifier's log bytes per event less its metric documents (deployed runs at the default levels). */
  verifierLogBytesWithoutMetrics: number,
): CostLever[] {
  const traced = { verifier: { ...inputs.verifier, activeTracing: true }, processor: { ...inputs.processor, activeTracing: true } };
  const infoLogs = {
    verifier: { ...inputs.verifier, logBytesPerEvent: atInfo.verifierLogBytesPerEvent },
    processor: { ...inputs.processor, logBytesPerEvent: atInfo.processorLogBytesPerEvent },
  };
  const platformAtInfo = (fn: MeasuredFunction, deployed: DeployedFunction): MeasuredFunction => ({
    ...fn,
    platformLogBytesPerInvocation: platformLogBytesPerInvocation(deployed.memorySizeMb, { ...deployed.logging, systemLogLevel: 'INFO' }),
  });
  const systemInfo = {
    verifier: platformAtInfo(inputs.verifier, functions.verifier),
    processor: platformAtInfo(inputs.processor, functions.processor),
  };
  const allProjection = { writeUnitsPerEvent: processor.mix.oursAllProjection.writeUnitsPerEvent };
  const variants: [string, CostInputs][] = [
    ['X-Ray active tracing on (`tracing: true`, `-c tracing=true`)', { ...inputs, ...traced }],
    ['application log level INFO (`logLevel`): a line per event in each function', { ...inputs, ...infoLogs }],
    ["system log level INFO (`systemLogLevel`): Lambda's start and report records per invocation", { ...inputs, ...systemInfo }],
    ["gsi1 projecting every attribute (`gsi1Projection: 'all'`, the previous default)", { ...inputs, ...allProjection }],
    ['API access log in the Standard log class (`accessLogClass`, the previous default)', { ...inputs, accessLogClass: 'STANDARD' }],
  ];
  const everything: CostInputs = {
    ...inputs,
    ...allProjection,
    accessLogClass: 'STANDARD',
    verifier: { ...systemInfo.verifier, logBytesPerEvent: atInfo.verifierLogBytesPerEvent, activeTracing: true },
    processor: { ...systemInfo.processor, logBytesPerEvent: atInfo.processorLogBytesPerEvent, activeTracing: true },
  };
  // Not a setting of the stack (its users deploy the HTTP API, which stays): what the API costs.
  const functionUrl: CostInputs = { ...inputs, httpRequestsPerEvent: 0, accessLogBytesPerRequest: 0 };
  // Not a setting either: the mix without the types the table does not store (an endpoint
  // subscribed as the README's setup says), per million events of the stored types. Every queued
  // quantity is per event of the whole mix, where those types add nothing; and at the default
  // levels the verifier's only metric documents in these runs are theirs.
  const queuedShare = 1 - unmodelledShare();
  const storedOnly: CostInputs = {
    ...inputs,
    verifier: { ...inputs.verifier, logBytesPerEvent: verifierLogBytesWithoutMetrics },
    processor: {
      ...inputs.processor,
      eventsPerInvocation: inputs.processor.eventsPerInvocation * queuedShare,
      logBytesPerEvent: inputs.processor.logBytesPerEvent / queuedShare,
    },
    writeUnitsPerEvent: inputs.writeUnitsPerEvent / queuedShare,
    readUnitsPerEvent: inputs.readUnitsPerEvent / queuedShare,
    sqsRequestsPerEvent: inputs.sqsRequestsPerEvent / queuedShare,
  };
  return [
    ...variants,
    ['all of the above (the previous defaults)', everything] as [string, CostInputs],
    ['for comparison, not offered: a Lambda function URL instead of the HTTP API (no API Gateway request or access log)', functionUrl] as [
      string,
      CostInputs,
    ],
    [
      'for comparison, not a setting: only the event types the table stores (an endpoint subscribed to them, as the README sets it up), per million of those',
      storedOnly,
    ] as [string, CostInputs],
  ].map(([change, variant]) => {
    const usd = costPerMillion(variant).totalUsd;
    return { change, totalUsd: usd, addsUsd: usd - totalUsd };
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined) {
    if (only === 'backfill') return onlyBackfill(quick);
    if (only !== 'change-events' && only !== 'cold-start') {
      throw new Error(`--only takes "backfill", "change-events" or "cold-start", got "${only}"`);
    }
  }
  const skipSynth = process.argv.includes('--skip-synth') || process.env.BENCH_SKIP_SYNTH === '1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s = settings(quick);
  const machine = describeMachine(PROJECT_ROOT);
  const started = nowMs();

  if (!skipSynth) {
    if (only !== 'change-events') {
      step('cdk synth at the defaults (bundles the functions into cdk.out)');
      await synthesize();
    }
    if (only === undefined || only === 'change-events') {
      step(`cdk synth with change events (into ${path.relative(PROJECT_ROOT, CDK_OUT_CHANGE_EVENTS)})`);
      await synthesize(CDK_OUT_CHANGE_EVENTS, { changeEvents: 'true' });
    }
  }
  if (only === 'change-events') {
    await benchOnlyChangeEvents(s, readDeployedStack(CDK_OUT_CHANGE_EVENTS));
    return;
  }
  // What is priced is the stack at its defaults; change events are measured on their own synth.
  const stack = readDeployedStack();
  const { functions } = stack;
  if (only === 'cold-start') {
    await benchOnlyColdStart(s, stack);
    return;
  }

  // CPU-only parts first, before the engines run beside them.
  step('verification: ours, svix, floor');
  const verify = benchVerification({ rounds: s.verifyRounds, sliceMs: s.verifySliceMs });
  step('verifier handler in process');
  const verifierHandler = await benchVerifierHandler({ rounds: s.handlerRounds, sliceMs: s.handlerSliceMs });

  step('starting DynamoDB Local, the SQS emulator and a Secrets Manager stub');
  const cleanups: (() => Promise<void>)[] = [];
  const workDir = mkdtempSync(path.join(tmpdir(), 'clerk-webhook-bench-'));
  cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  let stopping = false;
  const cleanUp = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  const onSignal = (): void => {
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const [dynamoDb, sqsEngine] = await Promise.all([startDynamoDbLocal(), startSqsEmulator({ region: REGION })]);
    cleanups.push(() => dynamoDb.stop(), () => sqsEngine.stop());
    const forgetJava = killJavaOnExit(dynamoDb);
    cleanups.push(async () => forgetJava());

    const signingSecret = newSigningSecret();
    const stub = await startSecretsManagerStub(signingSecret);
    cleanups.push(() => stub.stop());
    const sqs = new SQSClient({ endpoint: sqsEngine.endpoint, region: REGION, credentials: CREDENTIALS });
    const dynamo = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: REGION, credentials: CREDENTIALS });
    cleanups.push(async () => {
      sqs.destroy();
      dynamo.destroy();
    });
    const queues = await createQueues(sqs, 'bench-deployed-events');
    const deployedTable = 'bench-deployed';
    await createTable(dynamo, deployedTable);

    step('cold start: our bundle vs Express + svix');
    const coldStart = await coldStartOf(s, functions.verifier, {
      workDir,
      queueUrl: queues.queueUrl,
      sqsEndpoint: sqsEngine.endpoint,
      secretsManagerEndpoint: stub.endpoint,
      signingSecret,
    });

    // Before the deployed runs: DynamoDB Local (Java) is then past its warm-up, whose compiling
    // would otherwise share the cores with the processor whose CPU time is being measured.
    step('processor on DynamoDB Local: ours vs idempotency record');
    const processor = await benchProcessor({
      dynamoDbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqsEngine.endpoint,
      region: REGION,
      runs: s.processorRuns,
      batchesPerRun: s.processorBatchesPerRun,
      batchSize: PIPELINE_DEFAULTS.batchSize,
      readParentsFirst: readsParentsFirst(functions.processor),
    });

    step('deployed bundles, warm: durations and log bytes');
    const deployedRunOptions = {
      verifier: functions.verifier,
      processor: functions.processor,
      workDir,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      tableName: deployedTable,
      sqsEndpoint: sqsEngine.endpoint,
      dynamoDbEndpoint: dynamoDb.endpoint,
      secretsManagerEndpoint: stub.endpoint,
      signingSecret,
      verifierEvents: s.verifierEvents,
      processorBatches: s.processorBatches,
      batchSize: PIPELINE_DEFAULTS.batchSize,
    };
    const deployed = await benchDeployedRuns(deployedRunOptions);

    step('deployed bundles, warm, at application log level INFO (what turning it up costs)');
    const deployedAtInfo = await benchDeployedRuns({
      ...deployedRunOptions,
      verifierEvents: Math.ceil(s.verifierEvents / 2),
      processorBatches: Math.ceil(s.processorBatches / 2),
      applicationLogLevel: 'INFO',
    });

    step('end to end on the local pipeline');
    const e2e = await benchEndToEnd({
      dynamoDbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqsEngine.endpoint,
      region: REGION,
      rounds: s.e2eRounds,
      eventsPerRound: s.e2eEvents,
      senders: 16,
      copies: 2,
      duplicateWindow: 50,
      verifiedRounds: 1,
    });

    step('welcome mails on the local pipeline');
    const mail = await benchMail({
      dynamoDbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqsEngine.endpoint,
      region: REGION,
      rounds: s.mailRounds,
      users: s.mailUsers,
      senders: 8,
      unloadedUsers: s.mailUnloadedUsers,
    });
    step('change events on the local pipeline and the publisher bundle');
    const changeEvents = await benchChangeEvents(
      changeEventsOptions(s, { dynamoDbEndpoint: dynamoDb.endpoint, sqsEndpoint: sqsEngine.endpoint }, workDir, readDeployedStack(CDK_OUT_CHANGE_EVENTS)),
    );

    const backfill = await runBackfillSection(dynamoDb.endpoint, quick);
    await cleanUp();
    machine.loadAverageEnd = loadAverage();

    // Cost: everything per event comes from this run. Types the table does not store end at the
    // verifier (acknowledged, not queued): only the rest reach SQS and the processor.
    const queuedShare = 1 - unmodelledShare();
    const verifierFn: MeasuredFunction = {
      memorySizeMb: functions.verifier.memorySizeMb,
      activeTracing: functions.verifier.activeTracing,
      platformLogBytesPerInvocation: platformLogBytesPerInvocation(functions.verifier.memorySizeMb, functions.verifier.logging),
      initMs: coldStart.oursInitMs.median,
      initCpuMs: coldStart.oursInitCpuMs.median,
      wallMs: deployed.verifierMs.median,
      cpuMs: deployed.verifierCpuMs.median,
      eventsPerInvocation: 1,
      logBytesPerEvent: deployed.verifierLogBytesPerEvent,
    };
    const processorFn: MeasuredFunction = {
      memorySizeMb: functions.processor.memorySizeMb,
      activeTracing: functions.processor.activeTracing,
      platformLogBytesPerInvocation: platformLogBytesPerInvocation(functions.processor.memorySizeMb, functions.processor.logging),
      initMs: deployed.processorInitMs,
      initCpuMs: deployed.processorInitCpuMs,
      wallMs: deployed.processorBatchMs.median,
      cpuMs: deployed.processorBatchCpuMs.median,
      // A batch holds queued events only: a batch's worth of Clerk events is that much larger.
      eventsPerInvocation: PIPELINE_DEFAULTS.batchSize / queuedShare,
      logBytesPerEvent: deployed.processorLogBytesPerEvent * queuedShare,
    };
    const costInputs: CostInputs = {
      verifier: verifierFn,
      processor: processorFn,
      writeUnitsPerEvent: processor.mix.ours.writeUnitsPerEvent,
      readUnitsPerEvent: processor.mix.ours.readUnitsPerEvent,
      // Per queued event a SendMessage; per full batch one ReceiveMessage and one DeleteMessageBatch.
      sqsRequestsPerEvent: queuedShare * (1 + 2 / PIPELINE_DEFAULTS.batchSize),
      httpRequestsPerEvent: 1,
      accessLogBytesPerRequest: stack.accessLogFormat === undefined ? 0 : accessLogLineBytes(stack.accessLogFormat),
      accessLogClass: stack.accessLogClass,
      eventsPerMonth: EVENTS_PER_MONTH,
    };
    const cost = costPerMillion(costInputs);
    const levers = costLevers(
      costInputs,
      deployedAtInfo,
      processor,
      functions,
      cost.totalUsd,
      deployed.verifierLogBytesPerEvent - (deployed.verifierLogBytesPerEventByKind.emf ?? 0),
    );

    const at2k = verify.find((size) => size.bytes === 2048)!;
    const minOver = (pick: (size: (typeof verify)[number]) => number): number => Math.min(...verify.map(pick));
    const extras = extraWriteUnits(processor.scenarios);
    const withExtras = Object.entries(extras).flatMap(([type, phases]) =>
      Object.entries(phases)
        .filter(([, units]) => units > 0)
        .map(([phase, units]) => `${type} ${phase} +${units}`),
    );
    const onlyMembershipExtras = Object.entries(extras).every(([type, phases]) =>
      Object.values(phases).every((units) => units === 0 || (type.startsWith('organizationMembership.') && units === 1)),
    );
    const floorRows = Object.entries(ENTITY_FLOOR).flatMap(([type, phases]) =>
      (['applied', 'duplicate', 'stale'] as const).map((phase) => {
        const cost = processor.scenarios[type]![phase].ours;
        const [units, indexUnits] = phases[phase];
        return { label: `${type} ${phase} ${cost.writeUnits} (${cost.indexWriteUnits})`, atFloor: cost.writeUnits <= units && cost.indexWriteUnits <= indexUnits };
      }),
    );
    const goals: Goal[] = [
      {
        name: 'verification vs svix (every size)',
        target: `≥ ${GOALS.vsSvix}×`,
        measured: verify
          .map((size) => `${size.bytes} B ${size.verifyOnlyVsSvix.median.toFixed(2)}× (with parse ${size.vsSvix.median.toFixed(2)}×)`)
          .join('; '),
        met: minOver((size) => size.verifyOnlyVsSvix.median) >= GOALS.vsSvix,
      },
      {
        name: 'verification vs floor (every size)',
        target: `≥ ${GOALS.vsFloor}×`,
        measured: verify.map((size) => `${size.bytes} B ${size.vsFloor.median.toFixed(2)}×`).join('; '),
        met: minOver((size) => size.vsFloor.median) >= GOALS.vsFloor,
      },
      {
        name: 'cold start vs Express + svix',
        target: `≤ ${GOALS.coldStartVsExpress}×`,
        measured: `${coldStart.vsExpress.median.toFixed(2)}× (${coldStart.oursMs.median.toFixed(0)} vs ${coldStart.expressMs.median.toFixed(0)} ms)`,
        met: coldStart.vsExpress.median <= GOALS.coldStartVsExpress,
      },
      {
        name: 'verifier bundle, minified (index.js)',
        target: `≤ ${GOALS.verifierBundleKb} KB`,
        measured: `${(functions.verifier.indexBytes / 1024).toFixed(0)} KB (processor ${(functions.processor.indexBytes / 1024).toFixed(0)} KB)`,
        met: functions.verifier.indexBytes <= GOALS.verifierBundleKb * 1024,
      },
      {
        name: 'write units (of which gsi1) per session.created and per profile update, at the entity floor',
        target: 'session.created 2 (0) in every phase; profile update applied 2 (1), duplicate or stale 1 (0)',
        measured: floorRows.map((row) => (row.atFloor ? row.label : `**${row.label}**`)).join('; '),
        met: floorRows.every((row) => row.atFloor),
      },
      {
        name: 'other upserts: write units beyond the entity writes, each explained',
        target: '+0, or explained',
        measured:
          withExtras.length === 0
            ? 'none beyond the entity writes'
            : `${withExtras.join(', ')}${onlyMembershipExtras ? `: ${MEMBERSHIP_EXTRA_REASON}` : ' (unexplained)'}`,
        met: withExtras.length === 0 || onlyMembershipExtras,
      },
      {
        name: 'cost per million events',
        target: `< $${GOALS.costPerMillionUsd}`,
        measured: `$${cost.totalUsd.toFixed(2)}`,
        met: cost.totalUsd < GOALS.costPerMillionUsd,
      },
    ];

    const writeUnitsPerEvent = Object.fromEntries(
      Object.entries(processor.scenarios).map(([type, phases]) => [type, phases.applied.ours.writeUnits]),
    );
    const report: BenchReport = {
      machine,
      durationSeconds: (nowMs() - started) / 1000,
      quick,
      verify: {
        vsSvix: round(at2k.verifyOnlyVsSvix.median, 2),
        vsFloor: round(at2k.vsFloor.median, 2),
        bySize: verify,
      },
      verifierHandler,
      coldStart: { ...coldStart, vsExpress: round(coldStart.vsExpress.median, 3), vsExpressSpread: coldStart.vsExpress },
      bundles: {
        verifier: { indexBytes: functions.verifier.indexBytes, sourceMapBytes: functions.verifier.sourceMapBytes, zipBytes: functions.verifier.zipBytes },
        processor: { indexBytes: functions.processor.indexBytes, sourceMapBytes: functions.processor.sourceMapBytes, zipBytes: functions.processor.zipBytes },
      },
      deployed,
      deployedAtInfo,
      processor: { ...processor, writeUnitsPerEvent },
      e2e: {
        ...e2e,
        eventsPerSecond: round(e2e.eventsPerSecond.median, 1),
        p50Ms: round(e2e.p50Ms.median, 1),
        p99Ms: round(e2e.p99Ms.median, 1),
        lost: e2e.lost,
        spread: { eventsPerSecond: roundSpread(e2e.eventsPerSecond, 1), p50Ms: roundSpread(e2e.p50Ms, 1), p99Ms: roundSpread(e2e.p99Ms, 1) },
      },
      cost: {
        pricesAsOf: PRICES.asOf,
        eventsPerMonth: EVENTS_PER_MONTH,
        lines: cost.lines,
        levers,
        billedMs: { verifier: billedMs(verifierFn), processor: billedMs(processorFn) },
        billedInitMs: { verifier: billedInitMs(verifierFn), processor: billedInitMs(processorFn) },
        coldStartsPerInvocation: COLD_STARTS_PER_INVOCATION,
        lambdaInitBilledSince: PRICES.lambdaInitBilledSince,
      },
      costPerMillionUsd: round(cost.totalUsd, 3),
      goals,
    };

    const markdown = `${renderMarkdown(report)}\n\n${renderMailMarkdown(mail)}\n\n${renderChangeEventsMarkdown(changeEvents, PRICES.asOf, EVENTS_PER_MONTH)}`;
    process.stdout.write(`${markdown}\n\n${backfill.markdown}\n\n`);
    if (quick) {
      // A quick run checks the bench; it does not replace the recorded figures.
      process.stdout.write('bench: quick run, results.json and BENCHMARKS.md left as they were\n');
      return;
    }
    mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
    writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...report, mail, changeEvents }, roundForJson, 2)}\n`);
    updateBenchmarksFile(BENCHMARKS_PATH, markdown);
    writeBackfillSection(backfill.result, backfill.markdown);
    process.stdout.write(`bench: wrote ${path.relative(PROJECT_ROOT, RESULTS_PATH)} and BENCHMARKS.md\n`);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
