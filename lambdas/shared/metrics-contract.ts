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
  notifier: 'clerk-webhook-notifier',
  changeEvents: 'clerk-webhook-change-events',
  reconciler: 'clerk-webhook-reconciler',
} as const;

/**
 * The verifier's metrics: only requests it did not queue are counted here. An accepted request,
 * nearly every one, costs no metric document (a log line per event was the largest part of the
 * verifier's cost); the dashboard derives "received" from the function's invocations and
 * "verified" from those minus the counts below (lib/constructs/pipeline-metrics.ts).
 */
export const VERIFIER_METRICS = {
  /** Signature verified, but of a Clerk instance not in `allowedInstanceIds`: acknowledged (2xx), not queued. */
  foreignInstance: 'WebhooksForeignInstance',
  /** Signature verified, of an event type the table does not store (`email.created`...): acknowledged (2xx), not queued. */
  notModelled: 'WebhooksNotModelled',
  /** Rejected with 4xx; also emitted with a `reason` dimension (see REJECTION_REASONS). */
  rejected: 'WebhooksRejected',
  /** Answered 5xx (secret or queue unavailable): Svix retries. */
  failed: 'WebhooksFailed',
} as const;

export const REJECTION_REASONS = {
  /** The source address is not in `allowedSourceIps` (403). */
  source: 'source',
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
  /**
   * A user or organization deletion whose cascade ran out of its per-receive budget and
   * continues in a new message (counted besides the event's outcome).
   */
  cascadeContinued: 'CascadesContinued',
  /** Milliseconds from the event's timestamp to its processing. */
  lag: 'ProcessingLag',
} as const;

/** Dimension names used besides `service`. Per-type metrics carry `eventType`. */
export const METRIC_DIMENSIONS = {
  service: 'service',
  eventType: 'eventType',
  reason: 'reason',
  mailKind: 'mailKind',
} as const;

/** The notifier's metrics (lambdas/notifier). Per-kind metrics carry the `mailKind` dimension. */
export const NOTIFIER_METRICS = {
  /** A mail the transport accepted. */
  sent: 'MailsSent',
  /** A trigger that sent nothing, with a `reason` dimension (see MAIL_SKIP_REASONS). */
  skipped: 'MailsSkipped',
  /** A stream record that failed and will be retried by the event source (then the on-failure queue). */
  failed: 'MailRecordsFailed',
} as const;

export const MAIL_SKIP_REASONS = {
  /** The ledger says this mail was sent already (a duplicate or replayed stream record). */
  alreadySent: 'already-sent',
  /** The user was created long before we first saw them (a backfill or restore), see welcomeMaxAge. */
  backfill: 'backfill',
  /** The user has no primary email. */
  noEmail: 'no-email',
  /**
   * The user's primary address is not verified when the welcome is due (it was when the change
   * was committed); the change that verifies it again triggers the welcome.
   */
  unverified: 'unverified',
  /** The user was deleted, or the membership is no longer a live admin membership of that id, when the mail was due. */
  deleted: 'deleted',
  /**
   * The admin membership waits for its user to be synced with a verified primary address; the
   * change that makes the user welcome-able sends it.
   */
  pendingRecipient: 'pending-recipient',
} as const;
export type MailSkipReason = (typeof MAIL_SKIP_REASONS)[keyof typeof MAIL_SKIP_REASONS];

/** The change events publisher's metrics (lambdas/change-events), with `{service}` only. */
export const CHANGE_EVENT_METRICS = {
  /** Change events the bus accepted. */
  published: 'ChangeEventsPublished',
  /** A stream record whose events could not be made or put; the event source retries it (then the on-failure queue). */
  recordsFailed: 'ChangeEventRecordsFailed',
} as const;

/**
 * The reconciler's metrics (lambdas/reconciler), counts of entities per invocation. Created,
 * updated and pruned are drift: changes the webhooks should have brought and did not.
 */
export const RECONCILER_METRICS = {
  created: 'EntitiesCreated',
  updated: 'EntitiesUpdated',
  pruned: 'EntitiesPruned',
  unchanged: 'EntitiesUnchanged',
  skipped: 'EntitiesSkipped',
  /** Entities a sweep could not apply (malformed, refused by DynamoDB). */
  failed: 'EntitiesFailed',
  /** Once per completed sweep: its entities created + updated + pruned. The drift alarm watches it. */
  sweepDrift: 'SweepDrift',
} as const;
