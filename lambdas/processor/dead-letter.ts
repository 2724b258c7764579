import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DeadLetterDeliveryError } from '../shared/errors';

/** SQS message attributes on dead-lettered messages, so operators can triage without reading bodies. */
export const DEAD_LETTER_ATTRIBUTES = {
  errorReason: 'errorReason',
  sourceMessageId: 'sourceMessageId',
  svixId: 'svixId',
  eventType: 'eventType',
} as const;

const MAX_REASON_LENGTH = 256;

export interface DeadLetterLabels {
  readonly reason: string;
  readonly svixId?: string;
  readonly eventType?: string;
}

/**
 * Sends the original body to the DLQ at once, instead of letting SQS redeliver a message that
 * can never succeed until maxReceiveCount. Throws DeadLetterDeliveryError when that fails, so
 * the record is retried rather than lost.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  record: SQSRecord,
  labels: DeadLetterLabels,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {
    [DEAD_LETTER_ATTRIBUTES.errorReason]: text(truncate(labels.reason)),
    [DEAD_LETTER_ATTRIBUTES.sourceMessageId]: text(record.messageId),
  };
  if (labels.svixId) attributes[DEAD_LETTER_ATTRIBUTES.svixId] = text(truncate(labels.svixId));
  if (labels.eventType) attributes[DEAD_LETTER_ATTRIBUTES.eventType] = text(truncate(labels.eventType));
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record.body, MessageAttributes: attributes }));
  } catch (error) {
    throw new DeadLetterDeliveryError('sending the message to the dead-letter queue failed', { cause: error });
  }
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

function truncate(value: string): string {
  return value.length <= MAX_REASON_LENGTH ? value : `${value.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
