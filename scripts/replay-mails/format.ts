import type { MailOutcome } from '../../lambdas/notifier/notifier-deps';
import { formatAge } from '../cli/format';
import type { FailedBatch } from './failure-message';

/** What a run did, counted per failure message and per mail. */
export interface ReplaySummary {
  messages: number;
  replayed: number;
  failed: number;
  expired: number;
  discarded: number;
  malformed: number;
  sent: number;
  skipped: number;
  mailsFailed: number;
}

/** `RetryAttemptsExhausted at …; shard …, sequence … to …, 3 record(s) written from … (5h02m ago)` */
export function describeBatch(batch: FailedBatch, now: number): string {
  const written = batch.approximateArrivalOfFirstRecord;
  const age = written === undefined || Number.isNaN(Date.parse(written)) ? '' : ` (${formatAge(now - Date.parse(written))} ago)`;
  return (
    `${batch.condition ?? 'failed'}${batch.timestamp === undefined ? '' : ` at ${batch.timestamp}`}; ` +
    `shard ${batch.shardId}, sequence ${batch.startSequenceNumber} to ${batch.endSequenceNumber}, ${batch.batchSize} record(s)` +
    `${written === undefined ? '' : ` written from ${written}${age}`}`
  );
}

/** Ids, kind and result; never an address (the outcome carries none). */
export function formatOutcome(outcome: MailOutcome): string {
  const membership = outcome.membershipId === undefined ? '' : ` membership ${outcome.membershipId}${outcome.orgId === undefined ? '' : ` of ${outcome.orgId}`}`;
  const reason = outcome.reason === undefined ? '' : ` (${outcome.reason})`;
  return `${outcome.kind} user ${outcome.userId}${membership}: ${outcome.result}${reason}`;
}

export function formatSummary(summary: ReplaySummary): string {
  const kept = summary.failed + summary.expired + summary.malformed;
  const keptParts = [
    summary.failed > 0 ? `${summary.failed} failed` : undefined,
    summary.expired > 0 ? `${summary.expired} expired` : undefined,
    summary.malformed > 0 ? `${summary.malformed} not understood` : undefined,
  ].filter(Boolean);
  return (
    `replay-mails: ${summary.messages} failure message(s): ${summary.replayed} replayed and deleted` +
    `${summary.discarded > 0 ? `, ${summary.discarded} expired and discarded` : ''}` +
    `${kept > 0 ? `, ${kept} kept (${keptParts.join(', ')})` : ''}; ` +
    `mails: ${summary.sent} sent, ${summary.skipped} skipped, ${summary.mailsFailed} failed`
  );
}
