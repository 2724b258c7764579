import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import * as path from 'node:path';
import { CHANGE_EVENT_SOURCE, type ChangeEvent, type ChangeEventEnvelope } from '../lambdas/change-events/change-event';
import { CHANGE_PUBLISHER_DEFAULTS, CHANGE_PUBLISHER_ENV } from '../lambdas/change-events/change-events-config';
import { createChangeEventsHandler } from '../lambdas/change-events/create-change-events-handler';
import { createProcessorHandler } from '../lambdas/processor/create-processor-handler';
import { sampleEvent } from '../lambdas/shared/sample-events';
import type { OutcomeReport, PipelineReporter } from '../local/console-reporter';
import { createQueues, createTable, latestStreamArn } from '../local/create-resources';
import { startDynamoDbStreamSource } from '../local/dynamodb-stream-source';
import { startLocalPipeline } from '../local/local-pipeline';
import { meterCapacity } from './capacity-meter';
import { type CostLine, lambdaCostLines, type MeasuredFunction, platformLogBytesPerInvocation, PRICES } from './cost';
import { type DeployedFunction, lambdaEnvironment, runBundle } from './deployed-functions';
import { startEventBridgeStub } from './event-bridge-stub';
import { shuffle } from './mail.bench';
import { newSigningSecret, newSvixId } from './payloads';
import { quantile, type Spread, spreadOf } from './stats';
import { nowMs, seededRandom, sleep } from './timing';
import { postSignedDelivery } from './webhook-delivery';
import { batches, generateWorkload, sqsEvent } from './workload';

/**
 * Change events (docs/change-events.md), three measurements:
 * 1. Counts on the traffic mix (bench/workload.ts): the mix goes once, in order, through the
 *    processor into a table with a stream on DynamoDB Local, and the stream through the real
 *    publisher: stream records and change events per Clerk event, entry sizes, and the read and
 *    write units the processor spends (its read of the parents before a child's write included).
 * 2. The publisher's bundle from cdk.out, warm, in a fresh node process (bench/lambda-runner.cjs),
 *    on those stream records in invocations of the size the cost model expects, putting to a local
 *    PutEvents stub: milliseconds and CPU per invocation, log bytes.
 * 3. Latency on the local pipeline (`startLocalPipeline` with change events on): from the webhook's
 *    200 for a new user to its `user.created` change event being written, one at a time and in a
 *    burst; split at the processor reporting the event applied.
 * Cost per million Clerk events from 1 and 2 at the dated prices of bench/cost.ts, and the same
 * counts priced for EventBridge Pipes (the path not taken).
 */

export interface ChangeEventsBenchOptions {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly workDir: string;
  /** The publisher's bundle; absent when cdk.out was synthesized without change events. */
  readonly publisher: DeployedFunction | undefined;
  /** Whether that stack's processor reads parents first (its READ_PARENTS_FIRST): the mix runs it so. */
  readonly processorReadsParentsFirst: boolean;
  /** Clerk events of the mix. */
  readonly mixEvents: number;
  /** Warm invocations of the bundle. */
  readonly invocations: number;
  readonly unloadedUsers: number;
  readonly burstUsers: number;
  readonly senders: number;
  /** The volume the cost is priced at. */
  readonly eventsPerMonth: number;
}

export interface MixCounts {
  readonly clerkEvents: number;
  readonly streamRecords: number;
  readonly changeEvents: number;
  readonly byDetailType: Record<string, number>;
  readonly recordsPerEvent: number;
  readonly changeEventsPerEvent: number;
  /** PutEvents entry sizes as EventBridge counts them (source, detail-type, detail, 14 for the time). */
  readonly meanEntryBytes: number;
  readonly maxEntryBytes: number;
  readonly readUnitsPerEvent: number;
  readonly writeUnitsPerEvent: number;
  /**
   * Read units per event the processor spends only because change events are on (its read of the
   * parents before a child's write): the same mix with and without it, the difference.
   */
  readonly parentReadUnitsPerEvent: number;
}

export interface PublisherRun {
  readonly recordsPerInvocation: number;
  readonly invocations: number;
  readonly ms: Spread;
  readonly cpuMs: Spread;
  readonly logBytesPerInvocation: number;
  readonly logBytesByKind: Record<string, number>;
  readonly entriesPut: number;
  readonly memorySizeMb: number;
  readonly activeTracing: boolean;
  /** Lambda's own log records per invocation at the publisher's log settings. */
  readonly platformLogBytesPerInvocation: number;
  /** INIT of the fresh process (the first, uncounted invocation), wall and CPU ms. */
  readonly initMs: number;
  readonly initCpuMs: number;
  readonly bundleBytes: number;
}

export interface LatencyRound {
  readonly users: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly acceptedToAppliedP50Ms: number;
  readonly appliedToEventP50Ms: number;
  /** Users with not exactly one user.created. */
  readonly missingOrRepeated: number;
}

export interface ChangeEventsCost {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** The same with X-Ray active tracing flipped (the pipeline's `tracing` setting, not this feature's; off by default). */
  readonly otherTracingUsd: number;
  readonly pipesLines: readonly CostLine[];
  readonly pipesTotalUsd: number;
}

export interface ChangeEventsBenchResult {
  readonly mix: MixCounts;
  /** Invocations of what one poll finds (no batching window, the stack's default). */
  readonly publisher: PublisherRun | undefined;
  /** Invocations of what 1 s gathers (`maxBatchingWindow: Duration.seconds(1)`). */
  readonly publisherWithWindow: PublisherRun | undefined;
  readonly cost: ChangeEventsCost | undefined;
  readonly costWithWindow: ChangeEventsCost | undefined;
  readonly streamPollIntervalMs: number;
  readonly senders: number;
  readonly unloaded: LatencyRound;
  readonly burst: LatencyRound;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SECONDS_PER_MONTH = 30 * 24 * 3600;
/** Lambda polls each shard of a DynamoDB stream four times a second (its documented base rate). */
const POLLS_PER_SECOND = 4;
/** The local stream source's default wait between polls; the pipeline uses it unless told otherwise. */
const LOCAL_STREAM_POLL_INTERVAL_MS = 250;
const DRAIN_TIMEOUT_MS = 60_000;
const silent = new Logger({ logLevel: 'SILENT' });

function entryBytes(event: ChangeEvent): number {
  return Buffer.byteLength(CHANGE_EVENT_SOURCE) + Buffer.byteLength(event.detailType) + Buffer.byteLength(JSON.stringify(event.detail)) + 14;
}

async function measureMix(options: ChangeEventsBenchOptions): Promise<MixCounts & { readonly records: DynamoDBRecord[] }> {
  const client = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: CREDENTIALS });
  const sqs = new SQSClient({ endpoint: options.sqsEndpoint, region: options.region, credentials: CREDENTIALS });
  const streams = new DynamoDBStreamsClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: CREDENTIALS });
  try {
    const tableName = `bench-change-events-${randomBytes(4).toString('hex')}`;
    await createTable(client, tableName, { stream: true });
    const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, tableName);
    const meter = meterCapacity(client);
    const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    // As the stack with change events sets its processor.
    const processor = createProcessorHandler({
      documentClient,
      sqs,
      tableName,
      queueUrl,
      deadLetterQueueUrl,
      now: Date.now,
      readParentsFirst: options.processorReadsParentsFirst,
      logger: silent,
    });
    const workload = generateWorkload(options.mixEvents, seededRandom(21));
    const apply = async (handle: typeof processor): Promise<ReturnType<typeof meter.tally>> => {
      meter.reset();
      for (const batch of batches(workload, 10)) {
        const { batchItemFailures } = await handle(sqsEvent(batch));
        if (batchItemFailures.length > 0) throw new Error('the processor failed events of the mix');
      }
      return meter.tally();
    };
    // The same mix as the stack applies it without the feature, in a table of its own.
    const withoutTable = `${tableName}-without`;
    await createTable(client, withoutTable);
    const without = await apply(
      createProcessorHandler({ documentClient, sqs, tableName: withoutTable, queueUrl, deadLetterQueueUrl, now: Date.now, readParentsFirst: false, logger: silent }),
    );
    const tally = await apply(processor);

    const records: DynamoDBRecord[] = [];
    const events: ChangeEvent[] = [];
    const handler = createChangeEventsHandler({
      publish: async (put) => {
        events.push(...put);
        return {};
      },
      logger: silent,
    });
    const source = startDynamoDbStreamSource({
      streams,
      streamArn: await latestStreamArn(client, tableName),
      awsRegion: options.region,
      handler: (event) => {
        records.push(...event.Records);
        return handler(event);
      },
      batchSize: CHANGE_PUBLISHER_DEFAULTS.batchSize,
      pollIntervalMs: 20,
    });
    await source.caughtUp();
    await source.stop();

    const byDetailType: Record<string, number> = {};
    for (const event of events) byDetailType[event.detailType] = (byDetailType[event.detailType] ?? 0) + 1;
    const sizes = events.map(entryBytes);
    return {
      clerkEvents: workload.length,
      streamRecords: records.length,
      changeEvents: events.length,
      byDetailType,
      recordsPerEvent: records.length / workload.length,
      changeEventsPerEvent: events.length / workload.length,
      meanEntryBytes: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
      maxEntryBytes: Math.max(0, ...sizes),
      readUnitsPerEvent: tally.readUnits / workload.length,
      parentReadUnitsPerEvent: (tally.readUnits - without.readUnits) / workload.length,
      writeUnitsPerEvent: tally.writeUnits / workload.length,
      records,
    };
  } finally {
    client.destroy();
    sqs.destroy();
    streams.destroy();
  }
}

/**
 * Records per invocation when the events arrive evenly at `eventsPerMonth`: what one poll finds
 * (Lambda polls four times a second), or what a batching window of `windowSeconds` gathers.
 */
export function recordsPerInvocation(recordsPerEvent: number, eventsPerMonth: number, windowSeconds = 0): number {
  const perSecond = (recordsPerEvent * eventsPerMonth) / SECONDS_PER_MONTH;
  const gathered = windowSeconds > 0 ? perSecond * windowSeconds : perSecond / POLLS_PER_SECOND;
  return Math.min(CHANGE_PUBLISHER_DEFAULTS.batchSize, Math.max(1, Math.round(gathered)));
}

async function measurePublisher(options: ChangeEventsBenchOptions, publisher: DeployedFunction, records: readonly DynamoDBRecord[], perInvocation: number): Promise<PublisherRun> {
  // Each record at most once, so the first (cold) invocation is not counted and the rest are warm.
  const invocations = batches([...records], perInvocation).slice(0, options.invocations + 1).map((batch) => ({ Records: batch }));
  const eventsPath = path.join(options.workDir, `change-events-invocations-${perInvocation}.json`);
  writeFileSync(eventsPath, JSON.stringify(invocations));
  const stub = await startEventBridgeStub();
  try {
    const run = await runBundle(
      publisher,
      eventsPath,
      lambdaEnvironment(publisher, { [CHANGE_PUBLISHER_ENV.eventBusName]: 'bench-change-events', AWS_ENDPOINT_URL_EVENTBRIDGE: stub.endpoint }),
      (invocation) => invocation.failures === 0,
    );
    const warm = run.invocations.slice(1);
    return {
      recordsPerInvocation: perInvocation,
      invocations: warm.length,
      ms: spreadOf(warm.map((invocation) => invocation.ms)),
      cpuMs: spreadOf(warm.map((invocation) => invocation.cpuMs)),
      logBytesPerInvocation: run.logBytes / run.invocations.length,
      logBytesByKind: Object.fromEntries(Object.entries(run.logBytesByKind).map(([kind, bytes]) => [kind, bytes / run.invocations.length])),
      entriesPut: stub.entries(),
      memorySizeMb: publisher.memorySizeMb,
      activeTracing: publisher.activeTracing,
      platformLogBytesPerInvocation: platformLogBytesPerInvocation(publisher.memorySizeMb, publisher.logging),
      initMs: run.invocations[0]?.initMs ?? Number.NaN,
      initCpuMs: run.invocations[0]?.initCpuMs ?? Number.NaN,
      bundleBytes: publisher.indexBytes,
    };
  } finally {
    await stub.stop();
  }
}

function priced(mix: MixCounts, run: PublisherRun, eventsPerMonth: number): ChangeEventsCost {
  const eventsPerInvocation = run.recordsPerInvocation / mix.recordsPerEvent;
  const fn: MeasuredFunction = {
    memorySizeMb: run.memorySizeMb,
    activeTracing: run.activeTracing,
    platformLogBytesPerInvocation: run.platformLogBytesPerInvocation,
    initMs: run.initMs,
    initCpuMs: run.initCpuMs,
    wallMs: run.ms.median,
    cpuMs: run.cpuMs.median,
    eventsPerInvocation,
    logBytesPerEvent: run.logBytesPerInvocation / eventsPerInvocation,
  };
  const chunks = Math.ceil(mix.maxEntryBytes / 65_536);
  const putEvents: CostLine = {
    item: 'EventBridge PutEvents',
    basis: `${mix.changeEventsPerEvent.toFixed(2)} change events per Clerk event, each under 64 KB (largest ${mix.maxEntryBytes} bytes)`,
    usdPerMillion: mix.changeEventsPerEvent * chunks * PRICES.eventBridgePerMillionEvents,
  };
  const streamReads: CostLine = { item: 'DynamoDB stream reads', basis: "by Lambda's event source: not charged", usdPerMillion: 0 };
  const parentReads: CostLine = {
    item: "processor's read of parents first",
    basis: `${mix.parentReadUnitsPerEvent.toFixed(2)} read units per Clerk event (READ_PARENTS_FIRST, on with the feature)`,
    usdPerMillion: mix.parentReadUnitsPerEvent * PRICES.dynamoDbPerMillionReadUnits,
  };
  const lines = [...lambdaCostLines('publisher', fn, eventsPerMonth), putEvents, streamReads, parentReads];
  const sum = (of: readonly CostLine[]) => of.reduce((total, line) => total + line.usdPerMillion, 0);
  const totalUsd = sum(lines);
  const otherTracingUsd = sum([...lambdaCostLines('publisher', { ...fn, activeTracing: !fn.activeTracing }, eventsPerMonth), putEvents, parentReads]);
  // The same counts through EventBridge Pipes: every stream record is a Pipes request (a filter cannot
  // tell a lastSeenAt raise or a bookkeeping write from a change: it needs both images compared),
  // the same function as its enrichment, and the same events on the bus.
  const pipesRequests: CostLine = {
    item: 'EventBridge Pipes requests',
    basis: `${mix.recordsPerEvent.toFixed(2)} stream records per Clerk event, all past the filter`,
    usdPerMillion: mix.recordsPerEvent * PRICES.pipesPerMillionRequests,
  };
  const pipesLines = [pipesRequests, ...lambdaCostLines('enrichment', fn, eventsPerMonth), putEvents, parentReads];
  return { lines, totalUsd, otherTracingUsd, pipesLines, pipesTotalUsd: sum(pipesLines) };
}

async function latencyRound(options: ChangeEventsBenchOptions, users: number, mode: 'one-at-a-time' | 'burst', seed: number): Promise<LatencyRound> {
  const secret = newSigningSecret();
  // One at a time: two users first, not counted, to warm the path up.
  const warmUp = mode === 'one-at-a-time' ? 2 : 0;
  const at = Date.now();
  const all = Array.from({ length: users + warmUp }, (_, index) => {
    const userId = `user_2bench${seed}x${index}${randomBytes(4).toString('hex')}`;
    return { userId, svixId: newSvixId(), body: JSON.stringify(sampleEvent('user.created', { userId, email: `${userId}@example.com`, at })) };
  });
  const counted = all.slice(warmUp);
  const bySvixId = new Map(all.map((user) => [user.svixId, user.userId]));
  const acceptedAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  const eventAt = new Map<string, number>();
  const createdEvents = new Map<string, number>();
  const reporter: PipelineReporter = {
    received: () => undefined,
    problem: () => undefined,
    outcome: (report: OutcomeReport) => {
      const userId = report.svixId === undefined ? undefined : bySvixId.get(report.svixId);
      if (userId !== undefined && report.result === 'applied' && !appliedAt.has(userId)) appliedAt.set(userId, nowMs());
    },
  };
  const onEvent = (event: ChangeEventEnvelope): void => {
    if (event['detail-type'] !== 'user.created') return;
    const userId = event.detail.id;
    createdEvents.set(userId, (createdEvents.get(userId) ?? 0) + 1);
    if (!eventAt.has(userId)) eventAt.set(userId, nowMs());
  };
  const pipeline = await startLocalPipeline({
    port: 0,
    engines: { dynamoDbEndpoint: options.dynamoDbEndpoint, sqsEndpoint: options.sqsEndpoint },
    tableName: `bench-change-events-${randomBytes(4).toString('hex')}`,
    signingSecrets: [secret],
    reporter,
    mail: false,
    // No streamPollIntervalMs: the local stream source's default is what is measured.
    changeEvents: { file: path.join(options.workDir, `change-events-${seed}.jsonl`), onEvent },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.senders });
  try {
    const url = new URL(pipeline.webhookUrl);
    const deliver = async (user: (typeof all)[number]): Promise<void> => {
      await postSignedDelivery(agent, url, secret, user.svixId, user.body);
      if (!acceptedAt.has(user.userId)) acceptedAt.set(user.userId, nowMs());
    };
    if (mode === 'one-at-a-time') {
      for (const user of all) {
        await deliver(user);
        await deliver(user);
        const deadline = nowMs() + DRAIN_TIMEOUT_MS;
        while (!eventAt.has(user.userId) && nowMs() < deadline) await sleep(5);
      }
    } else {
      const deliveries = shuffle(all.flatMap((user) => [user, user]), seededRandom(seed));
      let next = 0;
      await Promise.all(Array.from({ length: options.senders }, async () => {
        while (next < deliveries.length) await deliver(deliveries[next++]!);
      }));
    }
    const deadline = nowMs() + DRAIN_TIMEOUT_MS;
    while (eventAt.size < all.length && nowMs() < deadline) await sleep(20);
    // A second user.created of anyone would show within a few polls.
    await sleep(4 * LOCAL_STREAM_POLL_INTERVAL_MS);

    const latencies: number[] = [];
    const toApplied: number[] = [];
    const toEvent: number[] = [];
    for (const { userId } of counted) {
      const accepted = acceptedAt.get(userId);
      const applied = appliedAt.get(userId);
      const published = eventAt.get(userId);
      if (accepted === undefined || published === undefined) continue;
      latencies.push(published - accepted);
      if (applied !== undefined) {
        toApplied.push(applied - accepted);
        toEvent.push(published - applied);
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      users: counted.length,
      p50Ms: quantile(sorted, 0.5),
      p95Ms: quantile(sorted, 0.95),
      p99Ms: quantile(sorted, 0.99),
      maxMs: sorted[sorted.length - 1]!,
      acceptedToAppliedP50Ms: quantile(toApplied, 0.5),
      appliedToEventP50Ms: quantile(toEvent, 0.5),
      missingOrRepeated: counted.filter(({ userId }) => createdEvents.get(userId) !== 1).length,
    };
  } finally {
    agent.destroy();
    await pipeline.stop();
  }
}

export async function benchChangeEvents(options: ChangeEventsBenchOptions): Promise<ChangeEventsBenchResult> {
  const { records, ...mix } = await measureMix(options);
  const bundle = options.publisher;
  const measure = (windowSeconds: number) =>
    bundle === undefined ? undefined : measurePublisher(options, bundle, records, recordsPerInvocation(mix.recordsPerEvent, options.eventsPerMonth, windowSeconds));
  const publisher = await measure(0);
  const publisherWithWindow = await measure(1);
  const unloaded = await latencyRound(options, options.unloadedUsers, 'one-at-a-time', 1);
  const burst = await latencyRound(options, options.burstUsers, 'burst', 2);
  return {
    mix,
    publisher,
    publisherWithWindow,
    cost: publisher === undefined ? undefined : priced(mix, publisher, options.eventsPerMonth),
    costWithWindow: publisherWithWindow === undefined ? undefined : priced(mix, publisherWithWindow, options.eventsPerMonth),
    streamPollIntervalMs: LOCAL_STREAM_POLL_INTERVAL_MS,
    senders: options.senders,
    unloaded,
    burst,
  };
}

/** The generated section for BENCHMARKS.md, after the mails. */
export function renderChangeEventsMarkdown(result: ChangeEventsBenchResult, pricesAsOf: string, eventsPerMonth: number): string {
  const { mix, publisher, cost, publisherWithWindow, costWithWindow } = result;
  const usd = (value: number) => value.toFixed(3);
  const types = Object.entries(mix.byDetailType)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  const latencyRow = (label: string, round: LatencyRound) =>
    `| ${round.users} | ${label} | ${round.p50Ms.toFixed(0)} | ${round.p95Ms.toFixed(0)} | ${round.p99Ms.toFixed(0)} | ${round.maxMs.toFixed(0)} | ` +
    `${round.acceptedToAppliedP50Ms.toFixed(0)} | ${round.appliedToEventP50Ms.toFixed(0)} | ${round.missingOrRepeated} |`;
  return [
    '### 8. Change events (docs/change-events.md)',
    '',
    `The traffic mix (${mix.clerkEvents} Clerk events, once each, in order) through the processor into a table with a stream, the stream through the publisher:`,
    '',
    '| stream records per Clerk event | change events per Clerk event | change events by type | PutEvents entry, mean / largest bytes | processor read units per event | processor write units per event |',
    '|---|---|---|---|---|---|',
    `| ${mix.recordsPerEvent.toFixed(2)} | ${mix.changeEventsPerEvent.toFixed(2)} | ${types} | ${mix.meanEntryBytes.toFixed(0)} / ${mix.maxEntryBytes} | ${mix.readUnitsPerEvent.toFixed(2)} | ${mix.writeUnitsPerEvent.toFixed(2)} |`,
    '',
    ...(publisher === undefined || cost === undefined
      ? ['The publisher bundle was not in cdk.out (synthesized without `-c changeEvents=true`): no cost.', '']
      : [
          `The publisher bundle (${(publisher.bundleBytes / 1024).toFixed(0)} KB, ${publisher.memorySizeMb} MB) warm, ${publisher.invocations} invocations of ${publisher.recordsPerInvocation} record(s) ` +
            `(what one of Lambda's four polls a second finds at ${(eventsPerMonth / 1_000_000).toLocaleString('en-US')} million events a month), putting to a local PutEvents stub: ` +
            `${publisher.ms.median.toFixed(2)} ms (${publisher.ms.min.toFixed(2)}–${publisher.ms.max.toFixed(2)}), of which CPU ${publisher.cpuMs.median.toFixed(2)} ms; ` +
            `${publisher.logBytesPerInvocation.toFixed(0)} log bytes per invocation.`,
          '',
          `Added cost per million Clerk events with change events on (list prices ${pricesAsOf}, us-east-1):`,
          '',
          '| item | basis | USD per million |',
          '|---|---|---|',
          ...cost.lines.map((line) => `| ${line.item} | ${line.basis} | ${usd(line.usdPerMillion)} |`),
          `| **total** |  | **${cost.totalUsd.toFixed(2)}** |`,
          '',
          `${tracingLabel(publisher.activeTracing)}, the pipeline's setting, not this feature's: **${cost.otherTracingUsd.toFixed(2)}**.` +
            (publisherWithWindow === undefined || costWithWindow === undefined
              ? ''
              : ` With a batching window of 1 s (\`maxBatchingWindow\`; up to 1 s later), ${publisherWithWindow.recordsPerInvocation} records an invocation ` +
                `(${publisherWithWindow.ms.median.toFixed(2)} ms, CPU ${publisherWithWindow.cpuMs.median.toFixed(2)} ms, measured the same way): ` +
                `**${costWithWindow.totalUsd.toFixed(2)}**, ${publisher.activeTracing ? 'without' : 'with'} tracing **${costWithWindow.otherTracingUsd.toFixed(2)}**.`),
          '',
          `The same counts through EventBridge Pipes (DynamoDB stream source, the publisher's transform as enrichment, the bus as target): **${cost.pipesTotalUsd.toFixed(2)}** ` +
            `(${cost.pipesLines.map((line) => `${line.item} ${usd(line.usdPerMillion)}`).join('; ')}).`,
          '',
        ]),
    `Latency on the local pipeline, from the webhook's 200 for a new user to its \`user.created\` written to the change events file; local stream poll interval **${result.streamPollIntervalMs} ms** ` +
      "(the local stream source's default; Lambda polls on its own schedule, so these do not carry over to AWS):",
    '',
    '| users | how posted | p50 ms | p95 ms | p99 ms | max ms | 200 → applied, p50 ms | applied → event, p50 ms | users without exactly one user.created |',
    '|---|---|---|---|---|---|---|---|---|',
    latencyRow('one at a time (both copies, then wait for the event)', result.unloaded),
    latencyRow(`burst: each twice, shuffled, ${result.senders} concurrent senders`, result.burst),
  ].join('\n');
}

function tracingLabel(traced: boolean): string {
  return traced ? 'Without X-Ray active tracing' : 'With X-Ray active tracing on (`-c tracing=true`)';
}
