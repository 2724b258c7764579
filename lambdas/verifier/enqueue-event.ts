import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { EnqueueFailedError } from '../shared/errors';
import { QUEUED_EVENT_ATTRIBUTES, type QueuedEvent } from '../shared/queued-event';
import { toSqsSafeJson } from './sqs-safe-json';

/**
 * Hands a verified event to the queue and resolves only once SQS has accepted it: the caller
 * must not acknowledge the delivery before that, or an event could be lost.
 */
export async function enqueueEvent(sqs: SQSClient, queueUrl: string, queued: QueuedEvent): Promise<void> {
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: toSqsSafeJson(queued),
        MessageAttributes: {
          [QUEUED_EVENT_ATTRIBUTES.svixId]: { DataType: 'String', StringValue: queued.svixId },
          [QUEUED_EVENT_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: queued.event.type },
        },
      }),
    );
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new EnqueueFailedError(`SQS did not accept the event (${detail})`, { cause: error });
  }
}
