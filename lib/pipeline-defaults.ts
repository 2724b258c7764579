import { Duration } from 'aws-cdk-lib';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-defaults';
import { DEFAULT_TOMBSTONE_TTL_DAYS } from '../lambdas/shared/table-schema';
import { VERIFIER_DEFAULTS } from '../lambdas/verifier/verifier-defaults';

/**
 * Settings shared by the CDK stack and the local pipeline (`npm start`), so the two
 * cannot drift: one place decides retries, timeouts and batching. Values the Lambda code
 * also needs live in plain-number modules under lambdas/ (importing this file from a
 * function would bundle aws-cdk-lib) and are re-exported here.
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
  maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
  /** Verifier Lambda timeout: Svix counts a delivery as failed after 15 s. */
  verifierTimeout: Duration.seconds(10),
  /** Tombstones outlive Svix's retry window (about 28 h) and dashboard replays by a wide margin. */
  tombstoneTtlDays: DEFAULT_TOMBSTONE_TTL_DAYS,
  /** The one webhook route, in the stack's HTTP API and in the local server alike. */
  webhookPath: '/webhooks/clerk',
} as const;

/**
 * Mail notifications (issue 6): the stream event source of the notifier and its function, as
 * the stack uses them. The plain numbers live in lambdas/notifier/notifier-defaults.ts, which the
 * function and the local stream source read too.
 */
export const MAIL_DEFAULTS = {
  /** Notifier Lambda timeout: room to wait out a crashed attempt's lease and still send. */
  notifierTimeout: Duration.seconds(NOTIFIER_DEFAULTS.timeoutSeconds),
  /** Stream records per notifier invocation. */
  batchSize: NOTIFIER_DEFAULTS.batchSize,
  /** Retries of a failing batch (bisected) before its metadata goes to the on-failure queue. */
  retryAttempts: NOTIFIER_DEFAULTS.retryAttempts,
  /** Records older than this go to the on-failure queue instead of being retried. */
  maxRecordAge: Duration.seconds(NOTIFIER_DEFAULTS.maxRecordAgeSeconds),
  /** A user or membership first seen longer than this after its creation is a backfill: no mail. */
  welcomeMaxAge: Duration.days(NOTIFIER_DEFAULTS.welcomeMaxAgeDays),
  /** DynamoDB keeps stream records 24 hours; maxRecordAge must stay below it (see MailNotifier). */
  streamRetention: Duration.hours(24),
  /** The on-failure queue keeps messages as long as SQS allows, like the DLQ. */
  failureRetention: Duration.days(14),
} as const;

export function visibilityTimeoutFor(processorTimeout: Duration): Duration {
  return Duration.seconds(processorTimeout.toSeconds() * PIPELINE_DEFAULTS.visibilityTimeoutFactor);
}
