import type { RecordResult } from '../lambdas/processor/record-outcome';

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

export interface PipelineReporter {
  received(report: ReceivedReport): void;
  outcome(report: OutcomeReport): void;
  /** Something went wrong outside a single record (an invocation crashed, a queue call failed). */
  problem(message: string): void;
}

export const SILENT_REPORTER: PipelineReporter = { received: () => undefined, outcome: () => undefined, problem: () => undefined };

const LABELS: Record<RecordResult, string> = {
  applied: 'applied',
  duplicate: 'skipped (duplicate)',
  stale: 'skipped (stale)',
  ignored: 'ignored (unmodelled type)',
  failed: 'failed',
  'dead-lettered': 'dead-lettered',
};

const MAX_REASON_LENGTH = 160;
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
