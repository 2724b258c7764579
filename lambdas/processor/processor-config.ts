import { optionalIntEnv, requireEnv } from '../shared/require-env';

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
  /** Optional positive integer; default PROCESSOR_DEFAULTS.tombstoneTtlDays. */
  tombstoneTtlDays: 'TOMBSTONE_TTL_DAYS',
} as const;

export const PROCESSOR_DEFAULTS = {
  /**
   * Days a tombstone outlives its deletion before DynamoDB's TTL may remove it: far beyond
   * Svix's ~28 h retry schedule and dashboard replays, which must still find it.
   */
  tombstoneTtlDays: 30,
} as const;

export interface ProcessorConfig {
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  readonly tombstoneTtlDays: number;
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  return {
    tableName: requireEnv(PROCESSOR_ENV.tableName, env),
    deadLetterQueueUrl: requireEnv(PROCESSOR_ENV.deadLetterQueueUrl, env),
    tombstoneTtlDays: optionalIntEnv(PROCESSOR_ENV.tombstoneTtlDays, PROCESSOR_DEFAULTS.tombstoneTtlDays, env),
  };
}
