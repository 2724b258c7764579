import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createProcessorHandler, type ProcessorDeps } from '../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../lambdas/processor/record-outcome';
import { MODELLED_EVENT_TYPES } from '../lambdas/shared/clerk-events';
import { createQueues, createTable } from '../local/create-resources';
import { type SampleIds, sampleEvent } from '../lambdas/shared/sample-events';
import { addTallies, type CapacityTally, emptyTally, meterCapacity, totalRequests } from './capacity-meter';
import { createIdempotencyRecordProcessorHandler, createIdempotencyTable } from './idempotency-record';
import { type LogMeter, MeteredLogger } from './metered-logger';
import { newSvixId } from './payloads';
import { type Spread, spreadOf } from './stats';
import { nowMs, seededRandom } from './timing';
import { batches, generateWorkload, sqsEvent, type WorkloadEvent } from './workload';

/**
 * The processor against DynamoDB Local, through the same handler factory Lambda runs, with the
 * DynamoDB client metered (requests, and the capacity DynamoDB reports for each):
 * - per event type: one event applied, the same delivery again (duplicate), and an older event
 *   of the same type for the same entity after it (stale), for ours and for the idempotency-record
 *   alternative;
 * - a traffic mix (workload.ts) in batches of 10, one batch at a time like one Lambda
 *   environment: events per second, milliseconds per batch, units and requests per event; for
 *   ours, the alternative, and ours on a table whose gsi1 projects every attribute (the
 *   previous default, which the cost section prices).
 */

export type Contender = 'ours' | 'idempotencyRecord';
/** The mix also runs ours on a table whose index projects every attribute (the previous default): what the lean projection saves. */
export type MixContender = Contender | 'oursAllProjection';
const MIX_CONTENDERS: readonly MixContender[] = ['ours', 'idempotencyRecord', 'oursAllProjection'];
export type Phase = 'applied' | 'duplicate' | 'stale';
const PHASES: readonly Phase[] = ['applied', 'duplicate', 'stale'];

export interface PhaseCost {
  /** The outcome the processor reported. */
  readonly result: string;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  readonly readUnits: number;
  readonly requests: number;
  readonly requestsByOperation: Record<string, number>;
  /** Units of each write request, in order (the first is the event's own item, or the idempotency record). */
  readonly writeLogUnits: readonly number[];
}

export interface MixFigures {
  readonly eventsPerSecond: Spread;
  /** Milliseconds per batch of 10 (one invocation). */
  readonly batchMs: Spread;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  readonly requestsPerEvent: number;
  /** Bytes the processor's own log lines take per event (Powertools JSON, at the deployed INFO level). */
  readonly logBytesPerEvent: number;
  readonly results: Record<string, number>;
}

export interface ProcessorBenchResult {
  readonly scenarios: Record<string, Record<Phase, Record<Contender, PhaseCost>>>;
  readonly mix: Record<MixContender, MixFigures>;
  readonly batchSize: number;
  readonly eventsPerRun: number;
}

export interface ProcessorBenchOptions {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly runs: number;
  readonly batchesPerRun: number;
  readonly batchSize: number;
  /** As the deployed processor is set (READ_PARENTS_FIRST): on only with change events. */
  readonly readParentsFirst: boolean;
}

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Harness {
  readonly handle: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly meter: { tally: () => CapacityTally; reset: () => void };
  readonly outcomes: RecordOutcome[];
  readonly logs: LogMeter;
  readonly destroy: () => void;
}

/** The stack's table; for `oursAllProjection`, gsi1 projecting every attribute, as before it projected the public ones only. */
async function harness(contender: MixContender, options: ProcessorBenchOptions, suffix: string): Promise<Harness> {
  const client = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: CREDENTIALS });
  const sqs = new SQSClient({ endpoint: options.sqsEndpoint, region: options.region, credentials: CREDENTIALS });
  const tableName = `bench-${contender}-${suffix}`;
  await createTable(client, tableName, { gsi1Projection: contender === 'oursAllProjection' ? 'all' : 'public' });
  const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, `bench-${contender}-${suffix}`);
  const outcomes: RecordOutcome[] = [];
  const logs: LogMeter = { bytes: 0, lines: 0 };
  const deps: ProcessorDeps = {
    // The same client options as lambdas/processor/index.ts.
    documentClient: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: Date.now,
    readParentsFirst: options.readParentsFirst,
    logger: new MeteredLogger(logs, { serviceName: 'clerk-webhook-processor', logLevel: 'INFO' }),
    onOutcome: (outcome) => outcomes.push(outcome),
  };
  let handle: Harness['handle'];
  if (contender !== 'idempotencyRecord') {
    handle = createProcessorHandler(deps);
  } else {
    const idempotencyTableName = `${tableName}-idempotency`;
    await createIdempotencyTable(client, idempotencyTableName);
    handle = createIdempotencyRecordProcessorHandler({ ...deps, idempotencyTableName, functionName: 'clerk-webhook-processor' });
  }
  // Installed after the set-up, so only the handler's requests count.
  const meter = meterCapacity(client);
  return {
    handle,
    meter,
    outcomes,
    logs,
    destroy: () => {
      client.destroy();
      sqs.destroy();
    },
  };
}

interface Scenario {
  readonly prerequisites: WorkloadEvent[];
  /** The measured event at time `at`. */
  readonly event: (at: number) => WorkloadEvent;
}

function freshIds(at: number): Required<Pick<SampleIds, 'userId' | 'orgId' | 'sessionId' | 'membershipId' | 'email'>> & { at: number } {
  const tag = randomBytes(8).toString('hex');
  return {
    userId: `user_2${tag}`,
    orgId: `org_2${tag}`,
    sessionId: `sess_2${tag}`,
    membershipId: `orgmem_2${tag}`,
    email: `bench.${tag}@example.com`,
    at,
  };
}

const delivery = (type: string, ids: SampleIds): WorkloadEvent => ({ svixId: newSvixId(), event: sampleEvent(type, ids) });

/** What each type needs to exist first: deletions act on a user with a session and a membership, an organization with a member. */
function scenarioFor(type: string, base: number): Scenario {
  const ids = freshIds(base);
  const created = { ...ids, createdAt: base };
  const user = delivery('user.created', created);
  const org = delivery('organization.created', created);
  const session = delivery('session.created', { ...created, at: base + 1 });
  const membership = delivery('organizationMembership.created', { ...created, at: base + 2 });
  const prerequisites: Record<string, WorkloadEvent[]> = {
    'user.created': [],
    'user.updated': [user],
    'user.deleted': [user, org, session, membership],
    'session.created': [user],
    'session.ended': [user, session],
    'session.removed': [user, session],
    'session.revoked': [user, session],
    'organization.created': [],
    'organization.updated': [org],
    'organization.deleted': [user, org, membership],
    'organizationMembership.created': [user, org],
    'organizationMembership.updated': [user, org, membership],
    'organizationMembership.deleted': [user, org, membership],
  };
  return {
    prerequisites: prerequisites[type]!,
    event: (at) => delivery(type, { ...created, at }),
  };
}

function phaseCost(tally: CapacityTally, outcomes: readonly RecordOutcome[]): PhaseCost {
  return {
    result: outcomes.map((outcome) => outcome.result).join('+') || 'none',
    writeUnits: tally.writeUnits,
    indexWriteUnits: tally.indexWriteUnits,
    readUnits: tally.readUnits,
    requests: totalRequests(tally),
    requestsByOperation: { ...tally.requests },
    writeLogUnits: [...tally.writeLog],
  };
}

async function measureScenarios(harnesses: Record<Contender, Harness>): Promise<ProcessorBenchResult['scenarios']> {
  const scenarios: ProcessorBenchResult['scenarios'] = {};
  const base = Date.now() - 60_000;
  for (const type of MODELLED_EVENT_TYPES) {
    const costs = { applied: {}, duplicate: {}, stale: {} } as Record<Phase, Record<Contender, PhaseCost>>;
    for (const contender of ['ours', 'idempotencyRecord'] as const) {
      const h = harnesses[contender];
      const scenario = scenarioFor(type, base);
      for (const prerequisite of scenario.prerequisites) await h.handle(sqsEvent([prerequisite]));
      const measured = scenario.event(base + 20_000);
      const deliveries: Record<Phase, WorkloadEvent> = {
        applied: measured,
        duplicate: measured,
        stale: scenario.event(base + 10_000),
      };
      for (const phase of PHASES) {
        h.meter.reset();
        h.outcomes.length = 0;
        await h.handle(sqsEvent([deliveries[phase]]));
        costs[phase][contender] = phaseCost(h.meter.tally(), h.outcomes);
      }
    }
    scenarios[type] = costs;
  }
  return scenarios;
}

async function runMix(h: Harness, events: readonly WorkloadEvent[], batchSize: number, batchMs: number[]): Promise<number> {
  const start = nowMs();
  for (const batch of batches(events, batchSize)) {
    const invoked = nowMs();
    const response = await h.handle(sqsEvent(batch));
    batchMs.push(nowMs() - invoked);
    if (response.batchItemFailures.length > 0) throw new Error(`${response.batchItemFailures.length} records failed in the mix`);
  }
  return events.length / ((nowMs() - start) / 1000);
}

export async function benchProcessor(options: ProcessorBenchOptions): Promise<ProcessorBenchResult> {
  const suffix = randomBytes(4).toString('hex');
  const harnesses: Record<MixContender, Harness> = {
    ours: await harness('ours', options, suffix),
    idempotencyRecord: await harness('idempotencyRecord', options, suffix),
    oursAllProjection: await harness('oursAllProjection', options, suffix),
  };
  try {
    const scenarios = await measureScenarios(harnesses);

    const random = seededRandom(20240529);
    const eventsPerRun = options.batchesPerRun * options.batchSize;
    const rates = { ours: [], idempotencyRecord: [], oursAllProjection: [] } as Record<MixContender, number[]>;
    const batchMs = { ours: [], idempotencyRecord: [], oursAllProjection: [] } as Record<MixContender, number[]>;
    const tallies = { ours: emptyTally(), idempotencyRecord: emptyTally(), oursAllProjection: emptyTally() };
    const results = { ours: {}, idempotencyRecord: {}, oursAllProjection: {} } as Record<MixContender, Record<string, number>>;
    const logBytes: Record<MixContender, number> = { ours: 0, idempotencyRecord: 0, oursAllProjection: 0 };
    // A warm-up run for each, not counted: JIT, connection pools, DynamoDB Local's own warm-up.
    for (const contender of MIX_CONTENDERS) {
      await runMix(harnesses[contender], generateWorkload(eventsPerRun, random), options.batchSize, []);
    }
    for (let run = 0; run < options.runs; run += 1) {
      // Rotate who goes first, so drift is shared out.
      const order = MIX_CONTENDERS.map((_, turn) => MIX_CONTENDERS[(run + turn) % MIX_CONTENDERS.length]!);
      for (const contender of order) {
        const h = harnesses[contender];
        // The same workload shape for both, with their own fresh ids.
        const events = generateWorkload(eventsPerRun, seededRandom(run + 1));
        h.meter.reset();
        h.outcomes.length = 0;
        const logsBefore = h.logs.bytes;
        rates[contender].push(await runMix(h, events, options.batchSize, batchMs[contender]));
        addTallies(tallies[contender], h.meter.tally());
        logBytes[contender] += h.logs.bytes - logsBefore;
        for (const outcome of h.outcomes) results[contender][outcome.result] = (results[contender][outcome.result] ?? 0) + 1;
      }
    }
    const counted = eventsPerRun * options.runs;
    const figures = (contender: MixContender): MixFigures => ({
      eventsPerSecond: spreadOf(rates[contender]),
      batchMs: spreadOf(batchMs[contender]),
      writeUnitsPerEvent: tallies[contender].writeUnits / counted,
      readUnitsPerEvent: tallies[contender].readUnits / counted,
      requestsPerEvent: totalRequests(tallies[contender]) / counted,
      logBytesPerEvent: logBytes[contender] / counted,
      results: results[contender],
    });
    return {
      scenarios,
      mix: { ours: figures('ours'), idempotencyRecord: figures('idempotencyRecord'), oursAllProjection: figures('oursAllProjection') },
      batchSize: options.batchSize,
      eventsPerRun,
    };
  } finally {
    for (const h of Object.values(harnesses)) h.destroy();
  }
}
