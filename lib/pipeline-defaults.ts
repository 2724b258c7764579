import { Duration } from 'aws-cdk-lib';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-config';
import { SQS_MAX_MESSAGE_BYTES } from '../lambdas/shared/queued-event';
import { VERIFIER_DEFAULTS } from '../lambdas/verifier/verifier-config';

/**
 * Settings shared by the CDK stack and the local pipeline (`npm start`), so the two cannot
 * drift: one place decides retries, timeouts and batching. Only settings the Lambda code never
 * reads live here; the functions' own (body size, tombstone TTL, the notifier's lease and
 * rules) are plain numbers in their config modules (lambdas/<function>/<function>-config.ts),
 * because importing this file from a function would bundle aws-cdk-lib. Durations here may wrap
 * those numbers, never restate them.
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
  maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
  /** Verifier Lambda timeout: Svix counts a delivery as failed after 15 s. */
  verifierTimeout: Duration.seconds(VERIFIER_DEFAULTS.timeoutSeconds),
  /** The one webhook route, in the stack's HTTP API and in the local server alike. */
  webhookPath: '/webhooks/clerk',
} as const;

/**
 * Mail notifications: the durations of the notifier and its stream event source, as the stack
 * and the local pipeline use them. The numbers the function also needs are NOTIFIER_DEFAULTS
 * (lambdas/notifier/notifier-config.ts); batch size and retries are used from there as they are.
 */
export const MAIL_DEFAULTS = {
  /** Notifier Lambda timeout: room to wait out a crashed attempt's lease and still send. */
  notifierTimeout: Duration.seconds(NOTIFIER_DEFAULTS.timeoutSeconds),
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
