/** Base class so callers can tell our failures from library ones with one instanceof. */
export abstract class ClerkSyncError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Missing or invalid configuration: a deployment problem, never retried into success. */
export class ConfigurationError extends ClerkSyncError {
  readonly code = 'CONFIGURATION';
}

/** A queue message that can never be processed (not JSON, not a QueuedEvent, a body that does not parse): dead-lettered at once, never retried. */
export class MalformedMessageError extends ClerkSyncError {
  readonly code = 'MALFORMED_MESSAGE';
}

/** A modelled Clerk event whose data lacks a field the table needs: retrying cannot help, so it is dead-lettered. */
export class MalformedEventError extends ClerkSyncError {
  readonly code = 'MALFORMED_EVENT';
}

/** Handing a message to the dead-letter queue failed; the record is retried so it is never lost. */
export class DeadLetterDeliveryError extends ClerkSyncError {
  readonly code = 'DEAD_LETTER_DELIVERY';
}

/** DynamoDB left some of a cascade's batched deletes unprocessed after every retry (throttling); the record is retried. */
export class CascadeDeleteError extends ClerkSyncError {
  readonly code = 'CASCADE_DELETE';
}

/** Re-enqueueing a cascade that ran out of its budget failed; the record is retried, so the cascade still completes. */
export class CascadeContinuationError extends ClerkSyncError {
  readonly code = 'CASCADE_CONTINUATION';
}

// --- Webhook intake (verifier). Each maps to one HTTP status in lambdas/verifier/http-responses.ts. ---

/** The request comes from a source address outside the allow-list (`allowedSourceIps`). */
export class SourceNotAllowedError extends ClerkSyncError {
  readonly code = 'SOURCE_NOT_ALLOWED';
}

/** The webhook route answers POST only. */
export class MethodNotAllowedError extends ClerkSyncError {
  readonly code = 'METHOD_NOT_ALLOWED';
}

/** The raw (decoded) body is larger than the verifier accepts. */
export class PayloadTooLargeError extends ClerkSyncError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** A required Svix / Standard Webhooks header is absent or empty. */
export class MissingHeaderError extends ClerkSyncError {
  readonly code = 'MISSING_HEADER';
}

/** A Svix / Standard Webhooks header is present but cannot be read (timestamp not digits, no `v1,` entry). */
export class MalformedHeaderError extends ClerkSyncError {
  readonly code = 'MALFORMED_HEADER';
}

/** The signed timestamp is further from now than the replay tolerance allows. */
export class TimestampOutOfRangeError extends ClerkSyncError {
  readonly code = 'TIMESTAMP_OUT_OF_RANGE';
}

/** No `v1` signature in the header matches any current signing secret. */
export class InvalidSignatureError extends ClerkSyncError {
  readonly code = 'INVALID_SIGNATURE';
}

/**
 * The authenticated webhook body is not a Clerk event envelope (JSON object with an event type
 * name in `type` and an object `data`), or exceeds the nesting or size bound of the parser.
 */
export class MalformedWebhookBodyError extends ClerkSyncError {
  readonly code = 'MALFORMED_WEBHOOK_BODY';
}

/** The signing secret could not be read (Secrets Manager unreachable, throttled, denied). Transient: the sender retries. */
export class SigningSecretUnavailableError extends ClerkSyncError {
  readonly code = 'SIGNING_SECRET_UNAVAILABLE';
}

/** The stored signing secret is not one or more `whsec_…` values. A configuration problem; the message never contains the secret. */
export class InvalidSigningSecretError extends ClerkSyncError {
  readonly code = 'INVALID_SIGNING_SECRET';
}

/** SQS did not accept the verified event, so the delivery must not be acknowledged. */
export class EnqueueFailedError extends ClerkSyncError {
  readonly code = 'ENQUEUE_FAILED';
}

// --- Mail notifier (lambdas/notifier). Each fails the stream record, so the event source retries it. ---

/**
 * Another attempt holds the mail's ledger claim and its lease ends too late for this invocation
 * to wait it out (or it was taken over again while we waited). The retry finds it sent or expired.
 */
export class MailClaimHeldError extends ClerkSyncError {
  readonly code = 'MAIL_CLAIM_HELD';
}

/** Too little time left in the invocation to claim a mail and send it within the claim's lease. */
export class MailTimeBudgetError extends ClerkSyncError {
  readonly code = 'MAIL_TIME_BUDGET';
}

/**
 * The mail transport did not accept the mail (or cannot say that it did). Keeps the transport's
 * error name (SES `MessageRejected`, `TooManyRequestsException`, `AbortError`...); never its
 * message, which can quote the recipient's address.
 */
export class MailSendError extends ClerkSyncError {
  readonly code = 'MAIL_SEND';
  constructor(
    message: string,
    readonly transportErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A write to the mail ledger failed for a reason other than its condition (throttled, unavailable). */
export class LedgerWriteError extends ClerkSyncError {
  readonly code = 'LEDGER_WRITE';
}

/** Reading what a mail needs (recipient, membership, pending admin welcomes) failed: throttled, unavailable. */
export class MailLookupError extends ClerkSyncError {
  readonly code = 'MAIL_LOOKUP';
}

/** A stream record without the SequenceNumber the event source needs to checkpoint: the whole batch fails. */
export class MalformedStreamRecordError extends ClerkSyncError {
  readonly code = 'MALFORMED_STREAM_RECORD';
}

// --- Backfill and reconciliation (lambdas/reconciler). ---

/**
 * Clerk's Backend API kept failing (429, 5xx, no answer) through every retry. The sweep stops;
 * its checkpoint holds the last page it completed, so the next run resumes there.
 */
export class ClerkApiUnavailableError extends ClerkSyncError {
  readonly code = 'CLERK_API_UNAVAILABLE';
}

/** Clerk's Backend API refused a request in a way no retry changes (401 wrong key, 403, 422). */
export class ClerkApiRefusedError extends ClerkSyncError {
  readonly code = 'CLERK_API_REFUSED';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A saved sweep checkpoint that this code cannot read (hand-edited, truncated, another version). */
export class InvalidCheckpointError extends ClerkSyncError {
  readonly code = 'INVALID_CHECKPOINT';
}

/** Clerk's Backend API answered 2xx with something a sweep cannot use (a user without `created_at`, an entry without its JSON). */
export class UnexpectedClerkResponseError extends ClerkSyncError {
  readonly code = 'UNEXPECTED_CLERK_RESPONSE';
}

/**
 * A prune page would delete more than its share allows (SWEEP_DEFAULTS.maxPruneShare): the mark
 * of a secret key of another Clerk instance, or of an API answering 404 for everything, rather
 * than of missed deletions. Nothing of the page is deleted and its checkpoint is not advanced.
 */
export class MassPruneRefusedError extends ClerkSyncError {
  readonly code = 'MASS_PRUNE_REFUSED';
}

/** Another sweep took the reconciliation lease (this one's had expired): this sweep must stop writing its checkpoint. */
export class SweepLeaseLostError extends ClerkSyncError {
  readonly code = 'SWEEP_LEASE_LOST';
}
