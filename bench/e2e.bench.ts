import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { isDeepStrictEqual } from 'node:util';
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createProcessorHandler } from '../lambdas/processor/create-processor-handler';
import type { OutcomeReport, PipelineReporter } from '../local/console-reporter';
import { createQueues, createTable } from '../local/create-resources';
import { startLocalPipeline } from '../local/local-pipeline';
import { readComparableTable } from '../test/support/random-history';
import { newSigningSecret } from './payloads';
import { quantile, type Spread, spreadOf } from './stats';
import { nowMs, seededRandom, sleep } from './timing';
import { postSignedDelivery, TERMINAL_RESULTS } from './webhook-delivery';
import { generateWorkload, sqsEvent, type WorkloadEvent } from './workload';

/**
 * End to end on the local pipeline (`startLocalPipeline`: the same verifier and processor code,
 * the HTTP API, the SQS event source with the stack's batch size, window and concurrency, on
 * DynamoDB Local and the SQS emulator). Concurrent senders post a history of events in order,
 * each event twice (Svix delivers at least once): the second copy a random number of deliveries
 * later, as a retry or a replay comes; concurrency reorders what is close. Each delivery is signed
 * when it is sent, as Svix re-signs every attempt; a non-2xx answer is retried, as Svix would.
 * - latency: from the first POST of an event to the processor reporting it applied (its write
 *   has returned, so the item is readable);
 * - events per second: distinct events over the time from the first POST to the last outcome;
 * - lost: events with no outcome when the queue has drained; and the final table is compared
 *   with the table that applying the same history once, in order, produces (docs/consistency.md).
 */

export interface E2eOptions {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly rounds: number;
  readonly eventsPerRound: number;
  readonly senders: number;
  readonly copies: number;
  /** How many deliveries later a duplicate may come, at most. */
  readonly duplicateWindow: number;
  /** Compare the final table with in-order application in this many rounds (it costs a sequential replay). */
  readonly verifiedRounds: number;
}

export interface E2eRound {
  readonly events: number;
  readonly deliveries: number;
  readonly eventsPerSecond: number;
  readonly deliveriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly applied: number;
  readonly lost: number;
  readonly retriedDeliveries: number;
  readonly averageBatchSize: number;
  readonly outcomes: Record<string, number>;
  readonly tableMatchesInOrder?: boolean;
}

export interface E2eResult {
  readonly rounds: readonly E2eRound[];
  readonly eventsPerSecond: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly lost: number;
  readonly tableMatchesInOrder: boolean;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const DRAIN_TIMEOUT_MS = 60_000;

async function round(options: E2eOptions, index: number, eventCount: number): Promise<E2eRound> {
  const secret = newSigningSecret();
  const events = generateWorkload(eventCount, seededRandom(100 + index));
  const random = seededRandom(200 + index);
  const deliveries = events
    .flatMap((event, position) =>
      Array.from({ length: options.copies }, (_, copy) => ({ event, at: position + (copy === 0 ? 0 : random() * options.duplicateWindow) })),
    )
    .sort((a, b) => a.at - b.at)
    .map((delivery) => delivery.event);
  const firstPost = new Map<string, number>();
  const outcomeAt = new Map<string, { result: string; at: number }>();
  const outcomes: Record<string, number> = {};
  let batchRecords = 0;
  let batchCount = 0;
  const reporter: PipelineReporter = {
    // A type the table does not store ends at the verifier: acknowledged, never queued.
    received: (report) => {
      if (report.svixId && report.notQueued !== undefined && !outcomeAt.has(report.svixId)) {
        outcomes['not queued'] = (outcomes['not queued'] ?? 0) + 1;
        outcomeAt.set(report.svixId, { result: 'not queued', at: nowMs() });
      }
    },
    problem: () => undefined,
    outcome: (report: OutcomeReport) => {
      outcomes[report.result] = (outcomes[report.result] ?? 0) + 1;
      if (report.svixId && TERMINAL_RESULTS.has(report.result) && !outcomeAt.has(report.svixId)) {
        outcomeAt.set(report.svixId, { result: report.result, at: nowMs() });
      }
    },
  };
  const tableName = `bench-e2e-${randomBytes(4).toString('hex')}`;
  const pipeline = await startLocalPipeline({
    port: 0,
    engines: { dynamoDbEndpoint: options.dynamoDbEndpoint, sqsEndpoint: options.sqsEndpoint },
    tableName,
    signingSecrets: [secret],
    reporter,
    // Measures ingest to table, as the figures in BENCHMARKS.md always did; mails are off in a default deployment.
    mail: false,
    wrapProcessor: (processor) => async (event) => {
      batchRecords += event.Records.length;
      batchCount += 1;
      return processor(event);
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.senders });
  let retriedDeliveries = 0;
  let started = 0;
  let lastOutcome = 0;
  try {
    const url = new URL(pipeline.webhookUrl);
    let next = 0;
    started = nowMs();
    const sender = async (): Promise<void> => {
      while (next < deliveries.length) {
        const item = deliveries[next++]!;
        if (!firstPost.has(item.svixId)) firstPost.set(item.svixId, nowMs());
        const retries = await postSignedDelivery(agent, url, secret, item.svixId, JSON.stringify(item.event));
        retriedDeliveries += retries;
      }
    };
    await Promise.all(Array.from({ length: options.senders }, sender));
    const postedMs = nowMs() - started;
    const deadline = nowMs() + DRAIN_TIMEOUT_MS;
    while (outcomeAt.size < events.length && nowMs() < deadline) await sleep(20);
    lastOutcome = Math.max(...[...outcomeAt.values()].map((outcome) => outcome.at));

    const latencies: number[] = [];
    for (const [svixId, outcome] of outcomeAt) {
      if (outcome.result === 'applied') latencies.push(outcome.at - firstPost.get(svixId)!);
    }
    const lost = events.filter((event) => !outcomeAt.has(event.svixId)).length;
    const tableMatchesInOrder =
      index < options.verifiedRounds ? await matchesInOrder(options, events, pipeline.tableName) : undefined;
    return {
      events: events.length,
      deliveries: deliveries.length,
      eventsPerSecond: events.length / ((lastOutcome - started) / 1000),
      deliveriesPerSecond: deliveries.length / (postedMs / 1000),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      applied: latencies.length,
      lost,
      retriedDeliveries,
      averageBatchSize: batchRecords / Math.max(1, batchCount),
      outcomes,
      ...(tableMatchesInOrder === undefined ? {} : { tableMatchesInOrder }),
    };
  } finally {
    agent.destroy();
    await pipeline.stop();
  }
}

/** The correctness property (docs/consistency.md): the table after concurrent, duplicated delivery equals the table after one in-order delivery. */
async function matchesInOrder(options: E2eOptions, events: readonly WorkloadEvent[], tableName: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: CREDENTIALS });
  const sqs = new SQSClient({ endpoint: options.sqsEndpoint, region: options.region, credentials: CREDENTIALS });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const referenceTable = `${tableName}-in-order`;
    await createTable(client, referenceTable);
    const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, referenceTable);
    const apply = createProcessorHandler({
      documentClient,
      sqs,
      tableName: referenceTable,
      deadLetterQueueUrl,
      queueUrl,
      now: Date.now,
      logger: new Logger({ serviceName: 'bench-reference', logLevel: 'SILENT' }),
    });
    for (const event of events) await apply(sqsEvent([event]));
    const [delivered, reference] = await Promise.all([
      readComparableTable(documentClient, tableName),
      readComparableTable(documentClient, referenceTable),
    ]);
    return isDeepStrictEqual(delivered, reference);
  } finally {
    client.destroy();
    sqs.destroy();
  }
}

export async function benchEndToEnd(options: E2eOptions): Promise<E2eResult> {
  // A short round first, not counted: the first requests of a process pay for JIT and connections.
  await round({ ...options, verifiedRounds: 0 }, -1, Math.ceil(options.eventsPerRound / 4));
  const rounds: E2eRound[] = [];
  for (let index = 0; index < options.rounds; index += 1) rounds.push(await round(options, index, options.eventsPerRound));
  const verified = rounds.filter((r) => r.tableMatchesInOrder !== undefined);
  return {
    rounds,
    eventsPerSecond: spreadOf(rounds.map((r) => r.eventsPerSecond)),
    p50Ms: spreadOf(rounds.map((r) => r.p50Ms)),
    p99Ms: spreadOf(rounds.map((r) => r.p99Ms)),
    lost: rounds.reduce((sum, r) => sum + r.lost, 0),
    tableMatchesInOrder: verified.length > 0 && verified.every((r) => r.tableMatchesInOrder === true),
  };
}
