import { optionalBooleanEnv, optionalIntEnv, requireEnv } from '../shared/require-env';
import { type ClientTimeouts, worstCaseCallMs } from '../shared/sdk-client-options';

/**
 * The processor's configuration: the environment variables lib/constructs/event-processor.ts
 * sets, the defaults of its settings and how they are read and checked. Plain values only: the
 * function bundles this module, and aws-cdk-lib would add tens of MB. The event source's
 * settings (batching, concurrency, timeout) are the stack's alone: lib/pipeline-defaults.ts.
 */

/** Environment variables of the processor function. */
export const PROCESSOR_ENV = {
  /** The sync table. */
  tableName: 'TABLE_NAME',
  /** Where malformed messages go at once, with the reason. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /** The queue the processor consumes: a cascade that ran out of budget continues in a new message there. */
  queueUrl: 'QUEUE_URL',
  /** Optional positive integer; default PROCESSOR_DEFAULTS.tombstoneTtlDays. */
  tombstoneTtlDays: 'TOMBSTONE_TTL_DAYS',
  /** Optional `true` / `false`; default PROCESSOR_DEFAULTS.readParentsFirst. The stack sets it: `true` with change events. */
  readParentsFirst: 'READ_PARENTS_FIRST',
} as const;

export const PROCESSOR_DEFAULTS = {
  /**
   * Days a tombstone outlives its deletion before DynamoDB's TTL may remove it: far beyond
   * Svix's ~28 h retry schedule and dashboard replays, which must still find it.
   */
  tombstoneTtlDays: 30,
  /**
   * Whether a session or membership event reads its parents before writing the child
   * (docs/change-events.md, "Deletions of parents and late events of their children"). Only the
   * change-events feed needs it, and the stack turns it on with that feature; otherwise the check
   * after the write alone keeps the table right (docs/consistency.md), one read cheaper.
   */
  readParentsFirst: false,
  /**
   * Every DynamoDB and SQS call: one attempt gives up after 1 s (DynamoDB answers in
   * milliseconds), three attempts at most, so a hung call fails within 6 s (worstCaseCallMs,
   * backoff included), a record that hits it is retried by SQS, and the 30 s function timeout
   * is never what stops it.
   */
  awsCalls: { connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000, maxAttempts: 3 } satisfies ClientTimeouts,
  /**
   * Deletes one cascade (a user's sessions and memberships, an organization's members) makes
   * per receive of its message; what is left continues in a copy of the message
   * (docs/consistency.md, "Large cascades").
   */
  cascadeDeletesPerReceive: 1_000,
} as const;

/**
 * A cascade starts no new round (a query page, or up to 25 deletes and, for a user, the update
 * of its membership list) once less than this is left of the invocation: room for a round of two
 * calls and the continuation's SendMessage, each running into every timeout of `awsCalls`
 * (19 s), so the cascade has at least 11 s of a 30 s invocation. A cascade's first round always
 * runs, so every receive makes progress.
 */
export const CASCADE_TIME_RESERVE_MS = 3 * worstCaseCallMs(PROCESSOR_DEFAULTS.awsCalls) + 1_000;

export interface ProcessorConfig {
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  readonly queueUrl: string;
  readonly tombstoneTtlDays: number;
  readonly readParentsFirst: boolean;
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  return {
    tableName: requireEnv(PROCESSOR_ENV.tableName, env),
    deadLetterQueueUrl: requireEnv(PROCESSOR_ENV.deadLetterQueueUrl, env),
    queueUrl: requireEnv(PROCESSOR_ENV.queueUrl, env),
    tombstoneTtlDays: optionalIntEnv(PROCESSOR_ENV.tombstoneTtlDays, PROCESSOR_DEFAULTS.tombstoneTtlDays, env),
    readParentsFirst: optionalBooleanEnv(PROCESSOR_ENV.readParentsFirst, PROCESSOR_DEFAULTS.readParentsFirst, env),
  };
}
