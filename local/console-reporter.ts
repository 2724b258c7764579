import type { RecordResult } from '../lambdas/processor/record-outcome';
import type { MailKind } from '../lambdas/shared/mail-ledger-schema';

/**
 * One console line per step of an event's way through the local pipeline. Only ids, event
 * types, statuses and reasons: never bodies, emails or names, so the console can be shared.
 */

export interface ReceivedReport {
  readonly statusCode: number;
  readonly svixId?: string;
  /** Only for accepted requests: an unauthenticated body is not worth repeating. */
  readonly eventType?: string;
  /** The response's error text for rejected requests. */
  readonly error?: string;
  /** Why an acknowledged event was not queued (another Clerk instance, an event type not stored). */
  readonly notQueued?: string;
}

export interface OutcomeReport {
  readonly result: RecordResult;
  readonly svixId?: string;
  readonly eventType?: string;
  readonly entityId?: string;
  readonly reason?: string;
  /** The delivery attempt (SQS receive count) and how many the redrive policy allows. */
  readonly attempt?: number;
  readonly maxAttempts?: number;
}

/** What one mail trigger of the notifier came to. Ids only: the recipient's address stays in the file. */
export interface MailReport {
  readonly kind: MailKind;
  readonly result: 'sent' | 'skipped' | 'failed';
  readonly userId: string;
  readonly membershipId?: string;
  /** Skip reason (already-sent, backfill…) or the failure. */
  readonly reason?: string;
  /** The `.eml` file of a sent mail. */
  readonly file?: string;
}

/** One change event as the bus got it: its type and the entity, never the item's fields. */
export interface ChangeEventReport {
  readonly detailType: string;
  readonly id: string;
  /** `updated`: which public fields changed (names only). */
  readonly changedFields?: readonly string[];
}

export interface PipelineReporter {
  received(report: ReceivedReport): void;
  outcome(report: OutcomeReport): void;
  /** Optional so that reporters written before mails existed (the bench's) keep working. */
  mail?(report: MailReport): void;
  /** Optional like `mail`: reporters written before change events keep working. */
  changeEvent?(report: ChangeEventReport): void;
  /** Something went wrong outside a single record (an invocation crashed, a queue call failed). */
  problem(message: string): void;
}

export const SILENT_REPORTER: PipelineReporter = {
  received: () => undefined,
  outcome: () => undefined,
  mail: () => undefined,
  changeEvent: () => undefined,
  problem: () => undefined,
};

const LABELS: Record<RecordResult, string> = {
  applied: 'applied',
  duplicate: 'skipped (duplicate)',
  stale: 'skipped (stale)',
  ignored: 'ignored (unmodelled type)',
  failed: 'failed',
  'dead-lettered': 'dead-lettered',
};

const MAX_REASON_LENGTH = 160;
/** 'admin-welcome', the longer kind, keeps the ids in one column. */
const MAIL_KIND_WIDTH = 13;
/** organizationMembership.created, the longest modelled type, keeps the entity ids in one column. */
const EVENT_TYPE_WIDTH = 30;

export function createConsoleReporter(
  writeLine: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  clock: () => Date = () => new Date(),
): PipelineReporter {
  const line = (label: string, ...parts: Array<string | undefined>): void => {
    const now = clock();
    const time = `${now.toTimeString().slice(0, 8)}.${String(now.getMilliseconds()).padStart(3, '0')}`;
    writeLine([time, label.padEnd(26), ...parts.filter((part): part is string => Boolean(part))].join('  '));
  };
  return {
    received(report) {
      const accepted = report.statusCode >= 200 && report.statusCode < 300;
      line(
        `${accepted ? 'received' : 'rejected'} ${report.statusCode}`,
        report.svixId ?? '(no svix-id)',
        accepted ? report.eventType : undefined,
        accepted && report.notQueued ? `— not queued: ${shorten(report.notQueued)}` : undefined,
        !accepted && report.error ? `— ${shorten(report.error)}` : undefined,
      );
    },
    outcome(report) {
      line(
        LABELS[report.result],
        report.svixId,
        report.entityId ? report.eventType?.padEnd(EVENT_TYPE_WIDTH) : report.eventType,
        report.entityId,
        report.result === 'failed' ? retryNote(report) : undefined,
        report.reason && (report.result === 'failed' || report.result === 'dead-lettered') ? `— ${shorten(report.reason)}` : undefined,
      );
    },
    mail(report) {
      const label = report.result === 'skipped' ? `mail skipped (${report.reason ?? 'no reason'})` : `mail ${report.result}`;
      line(
        label,
        report.kind.padEnd(MAIL_KIND_WIDTH),
        report.userId,
        report.membershipId,
        report.result === 'sent' && report.file ? `-> ${report.file}` : undefined,
        report.result === 'failed' ? '(the stream retries it)' : undefined,
        report.result === 'failed' && report.reason ? `— ${shorten(report.reason)}` : undefined,
      );
    },
    changeEvent(report) {
      line(
        'change event',
        report.detailType.padEnd(EVENT_TYPE_WIDTH),
        report.id,
        report.changedFields && report.changedFields.length > 0 ? `(${shorten(report.changedFields.join(', '))})` : undefined,
      );
    },
    problem(message) {
      line('error', shorten(message));
    },
  };
}

function retryNote(report: OutcomeReport): string {
  if (report.attempt === undefined || report.maxAttempts === undefined) return '(will retry)';
  const attempt = `attempt ${report.attempt} of ${report.maxAttempts}`;
  return report.attempt >= report.maxAttempts
    ? `(${attempt}; the queue moves it to the DLQ)`
    : `(${attempt}, will retry after the visibility timeout)`;
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON_LENGTH ? `${oneLine.slice(0, MAX_REASON_LENGTH - 1)}…` : oneLine;
}
