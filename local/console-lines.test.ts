import type { SQSRecord } from 'aws-lambda';
import path from 'node:path';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-config';
import { QUEUED_EVENT_ATTRIBUTES } from '../lambdas/shared/queued-event';
import { describeDiscarded, describeExchange, describeMail, describeOutcome, messageOf, reportUnreported } from './console-lines';
import type { OutcomeReport, PipelineReporter } from './console-reporter';
import type { DiscardedStreamBatch, StreamFailureMessage } from './dynamodb-stream-source';

/** What the local pipeline hands its reporter: ids, types, statuses and reasons, never bodies. */

function exchange(statusCode: number, body: string, responseBody: string, headers: Record<string, string> = { 'svix-id': 'msg_1' }) {
  return { statusCode, headers, body: Buffer.from(body), responseBody };
}

function recordingReporter(): PipelineReporter & { outcomes: OutcomeReport[]; problems: string[] } {
  const outcomes: OutcomeReport[] = [];
  const problems: string[] = [];
  return { outcomes, problems, received: () => undefined, outcome: (report) => outcomes.push(report), problem: (message) => problems.push(message) };
}

function sqsRecord(messageId: string, receiveCount: number, labels: { svixId?: string; eventType?: string } = {}): SQSRecord {
  const attribute = (value: string | undefined) => (value === undefined ? [] : [{ stringValue: value, dataType: 'String' }]);
  return {
    messageId,
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: Object.fromEntries([
      ...attribute(labels.svixId).map((value) => [QUEUED_EVENT_ATTRIBUTES.svixId, value]),
      ...attribute(labels.eventType).map((value) => [QUEUED_EVENT_ATTRIBUTES.eventType, value]),
    ]),
  } as unknown as SQSRecord;
}

function discarded(condition: StreamFailureMessage['requestContext']['condition'], delivered: boolean): DiscardedStreamBatch {
  return {
    message: { requestContext: { condition, approximateInvokeCount: 4 }, DDBStreamBatchInfo: { batchSize: 3 } } as unknown as StreamFailureMessage,
    records: [],
    delivered,
  };
}

describe('console lines', () => {
  it('names the event type of an accepted request and the error text of a rejected one, never the body', () => {
    expect(describeExchange(exchange(200, '{"type":"user.created","data":{"email":"ada@example.com"}}', '{}'))).toEqual({
      statusCode: 200,
      svixId: 'msg_1',
      eventType: 'user.created',
    });
    expect(describeExchange(exchange(401, '{"type":"user.created"}', '{"error":"signature mismatch"}', { 'webhook-id': 'msg_2' }))).toEqual({
      statusCode: 401,
      svixId: 'msg_2',
      error: 'signature mismatch',
    });
    expect(describeExchange(exchange(200, 'not json', 'not json', {}))).toEqual({ statusCode: 200 });
  });

  it('carries the delivery attempt with a processor outcome when the event source knows it', () => {
    const outcome = { messageId: 'm1', svixId: 'msg_1', eventType: 'user.updated', entityId: 'user_1', result: 'applied' } as const;
    expect(describeOutcome(outcome, 2, 5)).toEqual({ result: 'applied', svixId: 'msg_1', eventType: 'user.updated', entityId: 'user_1', attempt: 2, maxAttempts: 5 });
    expect(describeOutcome({ messageId: 'm2', result: 'dead-lettered', reason: 'not a queued event' }, undefined, 5)).toEqual({
      result: 'dead-lettered',
      reason: 'not a queued event',
    });
    expect(describeOutcome({ messageId: 'm3', result: 'duplicate', cascade: 'continued' }, 1, 5)).toEqual({
      result: 'duplicate',
      reason: 'cascade continues in a new message',
      attempt: 1,
      maxAttempts: 5,
    });
  });

  it('points a sent mail at its file in the mailbox, and only then', () => {
    const sent = { kind: 'welcome', userId: 'user_1', result: 'sent', messageId: 'x.eml' } as const;
    expect(describeMail(sent, '/tmp/mailbox')).toEqual({ kind: 'welcome', result: 'sent', userId: 'user_1', file: path.join('/tmp/mailbox', 'x.eml') });
    expect(describeMail(sent, undefined)).toEqual({ kind: 'welcome', result: 'sent', userId: 'user_1' });
    expect(describeMail({ kind: 'admin-welcome', userId: 'user_1', membershipId: 'orgmem_1', result: 'skipped', reason: 'backfill' }, '/tmp/mailbox')).toEqual({
      kind: 'admin-welcome',
      result: 'skipped',
      userId: 'user_1',
      membershipId: 'orgmem_1',
      reason: 'backfill',
    });
  });

  it('says why a stream batch was given up on and how to get its mails sent', () => {
    expect(describeDiscarded(discarded('RetryAttemptsExhausted', true), 'http://q')).toBe(
      'notifier gave up on 3 stream record(s) after 4 attempt(s): no mail for them; their stream position is in http://q; fix the cause, then npm run replay-mails -- --local',
    );
    expect(describeDiscarded(discarded('RecordAgeExceeded', false), 'http://q')).toBe(
      `notifier skipped 3 stream record(s) older than ${NOTIFIER_DEFAULTS.maxRecordAgeSeconds} s: no mail for them; ` +
        'the failure queue did not take their position before the stop; the next start reads them again',
    );
  });

  it('gives a retried record without an outcome of its own a failed line, labelled from its message attributes', () => {
    const reporter = recordingReporter();
    const records = [sqsRecord('reported', 1), sqsRecord('silent', 3, { svixId: 'msg_9', eventType: 'session.created' }), sqsRecord('deleted', 1)];
    reportUnreported({ records, deleted: ['deleted'], retained: ['reported', 'silent'] }, new Set(['reported']), reporter, 5);
    expect(reporter.problems).toEqual([]);
    expect(reporter.outcomes).toEqual([
      { result: 'failed', svixId: 'msg_9', eventType: 'session.created', reason: 'reported as a batch item failure', attempt: 3, maxAttempts: 5 },
    ]);

    const crashed = recordingReporter();
    reportUnreported({ records: [sqsRecord('a', 1)], deleted: [], retained: ['a'], handlerError: new TypeError('boom') }, new Set(), crashed, 5);
    expect(crashed.problems).toEqual(['processor invocation failed, its 1 record(s) will be retried: TypeError: boom']);
    expect(crashed.outcomes).toEqual([{ result: 'failed', reason: 'the invocation failed', attempt: 1, maxAttempts: 5 }]);
  });

  it('names an error by its class and message', () => {
    expect(messageOf(new RangeError('too far'))).toBe('RangeError: too far');
    expect(messageOf('plain')).toBe('plain');
  });
});
