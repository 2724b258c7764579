import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { applyEvent } from './apply-event';
import type { CascadeLimits } from './cascade-delete';
import { continueCascade } from './continue-cascade';
import { sendToDeadLetterQueue } from './dead-letter';
import { decodeQueuedEvent, identifiersOf } from './decode-queued-event';
import { describeFailure, isPermanentFailure } from './is-permanent-failure';
import { parseClerkEvent } from './parse-clerk-event';
import type { RecordOutcome } from './record-outcome';

export interface RecordProcessingDeps {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  /** The queue the records come from: a cascade that ran out of budget continues there. */
  readonly queueUrl: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly tombstoneTtlDays: number;
  /** See ApplyContext.readParentsFirst. */
  readonly readParentsFirst: boolean;
  /** What one record's cascade may use of the invocation. */
  readonly cascade: CascadeLimits;
}

export interface ProcessedRecord {
  readonly outcome: RecordOutcome;
  /** Set when the record must be reported as a batch item failure (SQS redelivers it). */
  readonly retryError?: unknown;
}

interface Labels {
  svixId?: string;
  eventType?: string;
  entityId?: string;
  occurredAt?: number;
  cascade?: 'continued';
}

/** Decodes, parses and applies one record. Never throws: the outcome says what happened. */
export async function processRecord(record: SQSRecord, deps: RecordProcessingDeps): Promise<ProcessedRecord> {
  const labels: Labels = {};
  // A child per record: records run concurrently, so the correlation id cannot live on a shared logger.
  const logger = deps.logger.createChild({ persistentKeys: { messageId: record.messageId } });
  const outcomeOf = (result: RecordOutcome['result'], reason?: string): RecordOutcome => ({
    messageId: record.messageId,
    ...labels,
    result,
    ...(reason === undefined ? {} : { reason }),
  });

  try {
    const queued = decodeQueuedEvent(record.body);
    labels.svixId = queued.svixId;
    labels.eventType = queued.event.type;
    logger.setCorrelationId(queued.svixId);
    logger.appendKeys({ svixId: queued.svixId, eventType: queued.event.type });

    const parsed = parseClerkEvent(queued.event);
    if (!parsed.modelled) {
      logger.info('event type not modelled, acknowledged', { outcome: 'ignored' });
      return { outcome: outcomeOf('ignored', 'event type not modelled') };
    }
    labels.entityId = parsed.entityId;
    labels.occurredAt = parsed.occurredAt;
    const applied = await applyEvent(
      {
        documentClient: deps.documentClient,
        tableName: deps.tableName,
        svixId: queued.svixId,
        nowMillis: deps.now(),
        tombstoneTtlDays: deps.tombstoneTtlDays,
        readParentsFirst: deps.readParentsFirst,
        cascade: deps.cascade,
      },
      parsed,
    );
    if (applied.cascadeComplete === false) {
      const continuation = await continueCascade(deps.sqs, deps.queueUrl, record);
      labels.cascade = 'continued';
      logger.info('event processed, its cascade continues in a new message', {
        entityId: parsed.entityId,
        outcome: applied.result,
        reason: applied.reason,
        continuation,
      });
    } else {
      logger.info('event processed', { entityId: parsed.entityId, outcome: applied.result, reason: applied.reason });
    }
    return { outcome: outcomeOf(applied.result, applied.reason) };
  } catch (error) {
    const reason = describeFailure(error);
    if (!isPermanentFailure(error)) {
      logger.warn('event failed, SQS will redeliver it', { ...labels, outcome: 'failed', reason });
      return { outcome: outcomeOf('failed', reason), retryError: error };
    }
    const identifiers = labels.svixId === undefined ? identifiersOf(record) : labels;
    try {
      await sendToDeadLetterQueue(deps.sqs, deps.deadLetterQueueUrl, record, { reason, ...identifiers });
    } catch (sendError) {
      logger.error('event can never succeed and could not be dead-lettered; SQS will redeliver it', {
        ...identifiers,
        outcome: 'failed',
        reason,
        error: describeFailure(sendError),
      });
      Object.assign(labels, identifiers);
      return { outcome: outcomeOf('failed', reason), retryError: sendError };
    }
    Object.assign(labels, identifiers);
    logger.error('event can never succeed, sent to the dead-letter queue', {
      ...identifiers,
      outcome: 'dead-lettered',
      reason,
    });
    return { outcome: outcomeOf('dead-lettered', reason) };
  }
}
