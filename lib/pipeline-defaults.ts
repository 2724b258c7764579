import { Duration } from 'aws-cdk-lib';

/**
 * Settings shared by the CDK stack and the local pipeline (`npm start`), so the two
 * cannot drift: one place decides retries, timeouts and batching.
 */
export const PIPELINE_DEFAULTS = {
  /** Deliveries of one message before SQS moves it to the DLQ. */
  maxReceiveCount: 5,
  /** Processor Lambda timeout. */
  processorTimeout: Duration.seconds(30),
  /** AWS guidance for SQS event sources: visibility timeout at least 6x the function timeout. */
  visibilityTimeoutFactor: 6,
  /** Records per processor invocation. */
  batchSize: 10,
  /** How long the event source waits to fill a batch. */
  maxBatchingWindow: Duration.seconds(1),
  /** Concurrent processor invocations: bounds the write rate the table sees. */
  maxConcurrency: 5,
  /** The DLQ keeps messages as long as SQS allows, to leave time to investigate and redrive. */
  deadLetterRetention: Duration.days(14),
  /** Main queue retention: longer than Svix's ~28 h retry schedule. */
  queueRetention: Duration.days(4),
  /** SQS accepts up to 1 MiB; a max-size webhook body plus our envelope must fit. */
  maxMessageSizeBytes: 1_048_576,
  /** Largest webhook body the verifier accepts. */
  maxBodyBytes: 256 * 1024,
  /** Verifier Lambda timeout: Svix counts a delivery as failed after 15 s. */
  verifierTimeout: Duration.seconds(10),
  /** Tombstones outlive Svix's retry window (about 28 h) and dashboard replays by a wide margin. */
  tombstoneTtlDays: 30,
} as const;

export function visibilityTimeoutFor(processorTimeout: Duration): Duration {
  return Duration.seconds(processorTimeout.toSeconds() * PIPELINE_DEFAULTS.visibilityTimeoutFactor);
}
