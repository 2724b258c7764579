import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MODELLED_EVENT_TYPES } from '../lambdas/shared/clerk-events';
import { PIPELINE_DEFAULTS } from '../lib/pipeline-defaults';
import { createQueues, createTable } from '../local/create-resources';
import { startDynamoDbLocal, startSqsEmulator } from '../local/engines.mjs';
import { buildLeanVerifier } from './bundle-variant';
import { benchColdStart } from './cold-start';
import { accessLogLineBytes, billedMs, type CostInputs, costPerMillion, PRICES } from './cost';
import { benchDeployedRuns, type DeployedRunsResult } from './deployed-runs';
import { PROJECT_ROOT, readDeployedStack, synthesize } from './deployed-functions';
import { benchChangeEvents, type ChangeEventsBenchOptions, renderChangeEventsMarkdown } from './change-events.bench';
import { benchEndToEnd } from './e2e.bench';
import { describeMachine, loadAverage } from './machine';
import { benchMail, renderMailMarkdown } from './mail.bench';
import { newSigningSecret } from './payloads';
import { type BenchReport, type CostLever, type Goal, renderMarkdown, updateBenchmarksFile } from './report';
import { benchProcessor, type ProcessorBenchResult } from './processor.bench';
import { startSecretsManagerStub } from './secrets-manager-stub';
import { round, roundSpread } from './stats';
import { nowMs } from './timing';
import { benchVerifierHandler } from './verifier-handler.bench';
import { benchVerification } from './verify.bench';

/**
 * `npm run bench`: speed and cost against the alternatives, in one run. Not part of `npm test`.
 * Prints a markdown table, writes bench/results.json and the generated part of BENCHMARKS.md.
 *   --quick        fewer repetitions, to check the bench itself: prints, writes nothing
 *   --skip-synth   reuse the bundles already in cdk.out instead of running `cdk synth`
 *   --only change-events   only section 7 (change events): prints, writes nothing
 */

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const RESULTS_PATH = path.join(__dirname, 'results.json');
const BENCHMARKS_PATH = path.join(PROJECT_ROOT, 'BENCHMARKS.md');

/** The volume volume-dependent prices (X-Ray sampling) are taken at: about 4 events a second on average. */
const EVENTS_PER_MONTH = 10_000_000;
const GOALS = { vsSvix: 4.5, vsFloor: 0.8, coldStartVsExpress: 0.5, costPerMillionUsd: 3 } as const;
/** Types whose event writes its own item and nothing else needs: the goal's "upserts" (every modelled type but the deletions). */
const UPSERTS = MODELLED_EVENT_TYPES.filter((type) => !type.endsWith('.deleted'));
/** Writes that are the event's own effect on entity items (docs/table.md): session.created also raises the user's lastSeenAt. */
const ENTITY_WRITES: Readonly<Record<string, number>> = { 'session.created': 2 };

function settings(quick: boolean) {
  return quick
    ? { verifyRounds: 8, verifySliceMs: 30, handlerRounds: 4, handlerSliceMs: 150, coldStarts: 3, verifierEvents: 15, processorBatches: 4, processorRuns: 2, processorBatchesPerRun: 4, e2eRounds: 2, e2eEvents: 100, mailRounds: 1, mailUsers: 50, mailUnloadedUsers: 3, changeMixEvents: 200, changeInvocations: 20, changeUnloadedUsers: 3, changeBurstUsers: 50 }
    : { verifyRounds: 30, verifySliceMs: 40, handlerRounds: 10, handlerSliceMs: 200, coldStarts: 12, verifierEvents: 60, processorBatches: 12, processorRuns: 7, processorBatchesPerRun: 8, e2eRounds: 3, e2eEvents: 400, mailRounds: 2, mailUsers: 200, mailUnloadedUsers: 6, changeMixEvents: 800, changeInvocations: 60, changeUnloadedUsers: 10, changeBurstUsers: 200 };
}

type Settings = ReturnType<typeof settings>;

function changeEventsOptions(s: Settings, engines: { dynamoDbEndpoint: string; sqsEndpoint: string }, workDir: string, stack: ReturnType<typeof readDeployedStack>): ChangeEventsBenchOptions {
  return {
    ...engines,
    region: REGION,
    workDir,
    publisher: stack.changeEventsPublisher,
    mixEvents: s.changeMixEvents,
    invocations: s.changeInvocations,
    unloadedUsers: s.changeUnloadedUsers,
    burstUsers: s.changeBurstUsers,
    senders: 8,
    eventsPerMonth: EVENTS_PER_MONTH,
  };
}

/** `--only change-events`: section 7 alone, on engines of its own; prints, writes nothing. */
async function benchOnlyChangeEvents(s: Settings, stack: ReturnType<typeof readDeployedStack>): Promise<void> {
  step('change events (alone): starting DynamoDB Local and the SQS emulator');
  const workDir = mkdtempSync(path.join(tmpdir(), 'clerk-webhook-bench-'));
  const [dynamoDb, sqsEngine] = await Promise.all([startDynamoDbLocal(), startSqsEmulator({ region: REGION })]);
  // Last resort if this process dies on the way: the Java child must not outlive it.
  const killJava = (): void => {
    try {
      if (dynamoDb.pid !== undefined) process.kill(dynamoDb.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killJava);
  try {
    const result = await benchChangeEvents(changeEventsOptions(s, { dynamoDbEndpoint: dynamoDb.endpoint, sqsEndpoint: sqsEngine.endpoint }, workDir, stack));
    process.stdout.write(`${renderChangeEventsMarkdown(result, PRICES.asOf, EVENTS_PER_MONTH)}\n\n${JSON.stringify(result, roundForJson, 2)}\n`);
  } finally {
    await Promise.allSettled([dynamoDb.stop(), sqsEngine.stop()]);
    process.off('exit', killJava);
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
function costLevers(inputs: CostInputs, deployed: DeployedRunsResult, processor: ProcessorBenchResult, totalUsd: number): CostLever[] {
  const withoutInfo = (fn: CostInputs['verifier'], byKind: Record<string, number>) => ({
    ...fn,
    logBytesPerEvent: fn.logBytesPerEvent - (byKind.info ?? 0),
  });
  const noTracing = { verifier: { ...inputs.verifier, activeTracing: false }, processor: { ...inputs.processor, activeTracing: false } };
  const quietLogs = {
    verifier: withoutInfo(inputs.verifier, deployed.verifierLogBytesPerEventByKind),
    processor: withoutInfo(inputs.processor, deployed.processorLogBytesPerEventByKind),
  };
  const keysOnlyIndex = { writeUnitsPerEvent: processor.mix.oursKeysOnlyIndex.writeUnitsPerEvent };
  const functionUrl = { httpRequestsPerEvent: 0, accessLogBytesPerRequest: 0 };
  const variants: [string, CostInputs][] = [
    ['X-Ray active tracing off', { ...inputs, ...noTracing }],
    ['no INFO line per event (LOG_LEVEL=WARN): failures are still logged', { ...inputs, ...quietLogs }],
    ['gsi1 projecting keys only (user by email: Query, then GetItem)', { ...inputs, ...keysOnlyIndex }],
    ['a Lambda function URL instead of the HTTP API (no API Gateway request or access log)', { ...inputs, ...functionUrl }],
  ];
  const all: CostInputs = {
    ...inputs,
    ...keysOnlyIndex,
    ...functionUrl,
    verifier: { ...quietLogs.verifier, activeTracing: false },
    processor: { ...quietLogs.processor, activeTracing: false },
  };
  return [...variants, ['all of the above', all] as [string, CostInputs]].map(([change, variant]) => {
    const usd = costPerMillion(variant).totalUsd;
    return { change, totalUsd: usd, savesUsd: totalUsd - usd };
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const skipSynth = process.argv.includes('--skip-synth') || process.env.BENCH_SKIP_SYNTH === '1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const s = settings(quick);
  const machine = describeMachine(PROJECT_ROOT);
  const started = nowMs();

  if (!skipSynth) {
    step('cdk synth (bundles the functions into cdk.out)');
    await synthesize();
  }
  const stack = readDeployedStack();
  const { functions } = stack;
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined) {
    if (only !== 'change-events') throw new Error(`--only takes change-events, got ${only ?? 'nothing'}`);
    await benchOnlyChangeEvents(s, stack);
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
    // Last resort if this process dies without cleaning up: the Java child must not outlive it.
    const killJava = (): void => {
      try {
        if (dynamoDb.pid !== undefined) process.kill(dynamoDb.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', killJava);
    cleanups.push(async () => void process.off('exit', killJava));

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
    const coldStart = await benchColdStart({
      verifier: functions.verifier,
      leanVerifier: await buildLeanVerifier(functions.verifier, workDir),
      workDir,
      queueUrl: queues.queueUrl,
      sqsEndpoint: sqsEngine.endpoint,
      secretsManagerEndpoint: stub.endpoint,
      signingSecret,
      repetitions: s.coldStarts,
    });

    step('deployed bundles, warm: durations and log bytes');
    const deployed = await benchDeployedRuns({
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
    });

    step('processor on DynamoDB Local: ours vs idempotency record');
    const processor = await benchProcessor({
      dynamoDbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqsEngine.endpoint,
      region: REGION,
      runs: s.processorRuns,
      batchesPerRun: s.processorBatchesPerRun,
      batchSize: PIPELINE_DEFAULTS.batchSize,
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
      changeEventsOptions(s, { dynamoDbEndpoint: dynamoDb.endpoint, sqsEndpoint: sqsEngine.endpoint }, workDir, stack),
    );
    await cleanUp();
    machine.loadAverageEnd = loadAverage();

    // Cost: everything per event comes from this run.
    const verifierFn = {
      memorySizeMb: functions.verifier.memorySizeMb,
      activeTracing: functions.verifier.activeTracing,
      wallMs: deployed.verifierMs.median,
      cpuMs: deployed.verifierCpuMs.median,
      eventsPerInvocation: 1,
      logBytesPerEvent: deployed.verifierLogBytesPerEvent,
    };
    const processorFn = {
      memorySizeMb: functions.processor.memorySizeMb,
      activeTracing: functions.processor.activeTracing,
      wallMs: deployed.processorBatchMs.median,
      cpuMs: deployed.processorBatchCpuMs.median,
      eventsPerInvocation: PIPELINE_DEFAULTS.batchSize,
      logBytesPerEvent: deployed.processorLogBytesPerEvent,
    };
    const costInputs: CostInputs = {
      verifier: verifierFn,
      processor: processorFn,
      writeUnitsPerEvent: processor.mix.ours.writeUnitsPerEvent,
      readUnitsPerEvent: processor.mix.ours.readUnitsPerEvent,
      // SendMessage per event; per full batch one ReceiveMessage and one DeleteMessageBatch.
      sqsRequestsPerEvent: 1 + 2 / PIPELINE_DEFAULTS.batchSize,
      httpRequestsPerEvent: 1,
      accessLogBytesPerRequest: stack.accessLogFormat === undefined ? 0 : accessLogLineBytes(stack.accessLogFormat),
      eventsPerMonth: EVENTS_PER_MONTH,
    };
    const cost = costPerMillion(costInputs);
    const levers = costLevers(costInputs, deployed, processor, cost.totalUsd);

    const at2k = verify.find((size) => size.bytes === 2048)!;
    const minOver = (pick: (size: (typeof verify)[number]) => number): number => Math.min(...verify.map(pick));
    const extras = extraWriteUnits(processor.scenarios);
    const withExtras = Object.entries(extras).flatMap(([type, phases]) =>
      Object.entries(phases)
        .filter(([, units]) => units > 0)
        .map(([phase, units]) => `${type} ${phase} +${units}`),
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
        name: 'write units: nothing beyond the entity writes (upserts, duplicates, stale)',
        target: '+0 write units',
        measured: withExtras.length === 0 ? 'none beyond the entity writes' : withExtras.join(', '),
        met: withExtras.length === 0,
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
      },
      costPerMillionUsd: round(cost.totalUsd, 3),
      goals,
    };

    const markdown = `${renderMarkdown(report)}\n\n${renderMailMarkdown(mail)}\n\n${renderChangeEventsMarkdown(changeEvents, PRICES.asOf, EVENTS_PER_MONTH)}`;
    process.stdout.write(`${markdown}\n\n`);
    if (quick) {
      // A quick run checks the bench; it does not replace the recorded figures.
      process.stdout.write('bench: quick run, results.json and BENCHMARKS.md left as they were\n');
      return;
    }
    mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
    writeFileSync(RESULTS_PATH, `${JSON.stringify({ ...report, mail, changeEvents }, roundForJson, 2)}\n`);
    updateBenchmarksFile(BENCHMARKS_PATH, markdown);
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
