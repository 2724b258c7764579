import type { SQSRecord } from 'aws-lambda';
import path from 'node:path';
import { CHANGE_PUBLISHER_DEFAULTS } from '../lambdas/change-events/change-events-config';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-config';
import type { MailOutcome } from '../lambdas/notifier/notifier-deps';
import type { RecordOutcome } from '../lambdas/processor/record-outcome';
import { QUEUED_EVENT_ATTRIBUTES } from '../lambdas/shared/queued-event';
import type { MailReport, OutcomeReport, PipelineReporter, ReceivedReport } from './console-reporter';
import type { DiscardedStreamBatch } from './dynamodb-stream-source';
import type { SettledBatch } from './sqs-event-source';
import type { RouteExchange } from './webhook-server';

/**
 * What the local pipeline tells its reporter (console-reporter.ts prints it): each webhook
 * exchange, each processor outcome, each mail, and the batches and errors no single record
 * accounts for, reduced to ids, types, statuses and reasons.
 */

export function describeMail(outcome: MailOutcome, mailboxDir: string | undefined): MailReport {
  return {
    kind: outcome.kind,
    result: outcome.result,
    userId: outcome.userId,
    ...(outcome.membershipId ? { membershipId: outcome.membershipId } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.messageId && mailboxDir !== undefined ? { file: path.join(mailboxDir, outcome.messageId) } : {}),
  };
}

/** The stream's two readers: what a discarded batch means for each, and how to recover. */
const STREAM_READERS = {
  notifier: { name: 'notifier', maxAgeSeconds: NOTIFIER_DEFAULTS.maxRecordAgeSeconds, lost: 'no mail for them', recovery: 'npm run replay-mails -- --local' },
  'change-events': {
    name: 'change events publisher',
    maxAgeSeconds: CHANGE_PUBLISHER_DEFAULTS.maxRecordAgeSeconds,
    lost: 'their change events were not written',
    recovery: 'docs/change-events.md, "When events could not be published"',
  },
} as const;

export function describeDiscarded(discarded: DiscardedStreamBatch, queueUrl: string, reader: keyof typeof STREAM_READERS = 'notifier'): string {
  const { name, maxAgeSeconds, lost, recovery } = STREAM_READERS[reader];
  const { requestContext, DDBStreamBatchInfo } = discarded.message;
  const records = `${DDBStreamBatchInfo.batchSize} stream record(s)`;
  const what =
    requestContext.condition === 'RecordAgeExceeded'
      ? `${name} skipped ${records} older than ${maxAgeSeconds} s`
      : `${name} gave up on ${records} after ${requestContext.approximateInvokeCount} attempt(s)`;
  const where = discarded.delivered
    ? `their stream position is in ${queueUrl}; fix the cause, then ${recovery}`
    : 'the failure queue did not take their position before the stop; the next start reads them again';
  return `${what}: ${lost}; ${where}`;
}

export function describeExchange(exchange: RouteExchange): ReceivedReport {
  const svixId = exchange.headers['svix-id'] ?? exchange.headers['webhook-id'];
  const accepted = exchange.statusCode >= 200 && exchange.statusCode < 300;
  const base = { statusCode: exchange.statusCode, ...(svixId ? { svixId } : {}) };
  if (accepted) {
    const eventType = eventTypeOf(exchange.body);
    const notQueued = notQueuedReasonOf(exchange.responseBody);
    return { ...base, ...(eventType ? { eventType } : {}), ...(notQueued ? { notQueued } : {}) };
  }
  const error = errorTextOf(exchange.responseBody);
  return { ...base, ...(error ? { error } : {}) };
}

export function describeOutcome(outcome: RecordOutcome, attempt: number | undefined, maxAttempts: number): OutcomeReport {
  return {
    result: outcome.result,
    ...(outcome.svixId ? { svixId: outcome.svixId } : {}),
    ...(outcome.eventType ? { eventType: outcome.eventType } : {}),
    ...(outcome.entityId ? { entityId: outcome.entityId } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : outcome.cascade === 'continued' ? { reason: CASCADE_CONTINUES } : {}),
    ...(attempt === undefined ? {} : { attempt, maxAttempts }),
  };
}

/** What the console says of a deletion whose cascade goes on in a new message. */
const CASCADE_CONTINUES = 'cascade continues in a new message';

/** Records retried without an outcome of their own (the invocation crashed, or a wrapper failed them) still get a line. */
export function reportUnreported(batch: SettledBatch, reported: ReadonlySet<string>, reporter: PipelineReporter, maxAttempts: number): void {
  if (batch.handlerError !== undefined) {
    reporter.problem(`processor invocation failed, its ${batch.records.length} record(s) will be retried: ${messageOf(batch.handlerError)}`);
  }
  for (const record of batch.records) {
    if (!batch.retained.includes(record.messageId) || reported.has(record.messageId)) continue;
    reporter.outcome({
      result: 'failed',
      ...labelsOf(record),
      reason: batch.handlerError === undefined ? 'reported as a batch item failure' : 'the invocation failed',
      attempt: Number(record.attributes.ApproximateReceiveCount),
      maxAttempts,
    });
  }
}

/** The verifier labels every message with its svix id and event type, so nothing needs to parse the body. */
function labelsOf(record: SQSRecord): { svixId?: string; eventType?: string } {
  const svixId = record.messageAttributes[QUEUED_EVENT_ATTRIBUTES.svixId]?.stringValue;
  const eventType = record.messageAttributes[QUEUED_EVENT_ATTRIBUTES.eventType]?.stringValue;
  return { ...(svixId ? { svixId } : {}), ...(eventType ? { eventType } : {}) };
}

function eventTypeOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const type = typeof parsed === 'object' && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Why an acknowledged event was not queued (`{ queued: false, reason }`: another instance, a type not stored). */
function notQueuedReasonOf(responseBody: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(responseBody);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { queued, reason } = parsed as { queued?: unknown; reason?: unknown };
    return queued === false && typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}

function errorTextOf(responseBody: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(responseBody);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { error, message } = parsed as { error?: unknown; message?: unknown };
    const text = typeof error === 'string' ? error : message;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
