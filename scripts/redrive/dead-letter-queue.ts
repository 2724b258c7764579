import { ChangeMessageVisibilityBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { longPoll } from '../cli/aws-client-config';

/* The DLQ's messages: received hidden for a while, and made visible again at once when not moved. */

export interface ReadOptions {
  readonly max?: number;
  /** Long polling asks every SQS server, so an empty answer means an empty queue. Default 1. */
  readonly waitTimeSeconds?: number;
}

/** How long listed messages stay hidden (they are released at once; this only bounds a crash). */
export const LIST_VISIBILITY_SECONDS = 30;
/** How long a message being moved stays hidden: the send and the delete take far less. */
export const MOVE_VISIBILITY_SECONDS = 60;

export async function receive(sqs: SQSClient, queueUrl: string, count: number, visibility: number, options: ReadOptions): Promise<Message[]> {
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, count),
      VisibilityTimeout: visibility,
      WaitTimeSeconds: waitTimeSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
    longPoll(waitTimeSeconds),
  );
  return Messages;
}

export async function releaseAll(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
}
