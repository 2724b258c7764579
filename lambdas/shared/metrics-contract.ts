/**
 * The CloudWatch metrics the functions emit (embedded metric format) and the monitoring
 * construct alarms on. Plain constants, so both the Lambda bundles and the CDK app import
 * them without pulling in each other's dependencies.
 */
export const METRICS_NAMESPACE = 'ClerkWebhookSync';

/** Powertools adds a `service` dimension to every metric; these are its values. */
export const SERVICE_NAMES = {
  verifier: 'clerk-webhook-verifier',
  processor: 'clerk-webhook-processor',
} as const;

export const VERIFIER_METRICS = {
  /** Every request that reached the verifier. */
  received: 'WebhooksReceived',
  /** Signature verified and message accepted by SQS. */
  verified: 'WebhooksVerified',
  /** Rejected with 4xx; also emitted with a `reason` dimension (see REJECTION_REASONS). */
  rejected: 'WebhooksRejected',
  /** Answered 5xx (secret or queue unavailable): Svix retries. */
  failed: 'WebhooksFailed',
} as const;

export const REJECTION_REASONS = {
  signature: 'signature',
  timestamp: 'timestamp',
  headers: 'headers',
  body: 'body',
  size: 'size',
  method: 'method',
} as const;
export type RejectionReason = (typeof REJECTION_REASONS)[keyof typeof REJECTION_REASONS];

export const PROCESSOR_METRICS = {
  applied: 'EventsApplied',
  duplicate: 'EventsDuplicate',
  stale: 'EventsStale',
  ignored: 'EventsIgnored',
  deadLettered: 'EventsDeadLettered',
  failed: 'EventsFailed',
  /** Milliseconds from the event's timestamp to its processing. */
  lag: 'ProcessingLag',
} as const;

/** Dimension names used besides `service`. Per-type metrics carry `eventType`. */
export const METRIC_DIMENSIONS = {
  service: 'service',
  eventType: 'eventType',
  reason: 'reason',
} as const;
