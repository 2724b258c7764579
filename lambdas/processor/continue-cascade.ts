import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { CascadeContinuationError } from '../shared/errors';
import { QUEUED_EVENT_ATTRIBUTES } from '../shared/queued-event';

/** Message attribute counting the continuations of one cascade: for logs and the redrive listing, never for logic. */
export const CASCADE_CONTINUATION_ATTRIBUTE = 'cascadeContinuation';

/**
 * A deletion whose cascade ran out of its budget continues in a new message: the same body,
 * sent to the queue the record came from, after which the record is acknowledged. The new
 * message starts with a receive count of 0, so a large cascade never reaches the DLQ by
 * continuing, and its neighbours in the batch are not held up. Applying the event again finds
 * its tombstone (a duplicate) and deletes what is left (docs/consistency.md, "Large cascades").
 * Throws CascadeContinuationError when SQS does not take it: the record is then retried.
 */
export async function continueCascade(sqs: SQSClient, queueUrl: string, record: SQSRecord): Promise<number> {
  const continuation = continuationOf(record) + 1;
  const attributes: Record<string, MessageAttributeValue> = {
    [CASCADE_CONTINUATION_ATTRIBUTE]: { DataType: 'Number', StringValue: String(continuation) },
  };
  for (const name of Object.values(QUEUED_EVENT_ATTRIBUTES)) {
    const value = record.messageAttributes[name]?.stringValue;
    if (value !== undefined) attributes[name] = { DataType: 'String', StringValue: value };
  }
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record.body, MessageAttributes: attributes }));
  } catch (error) {
    throw new CascadeContinuationError('sending the continuation of the cascade to the queue failed', { cause: error });
  }
  return continuation;
}

function continuationOf(record: SQSRecord): number {
  const value = Number(record.messageAttributes[CASCADE_CONTINUATION_ATTRIBUTE]?.stringValue ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
