import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { type DeadLetter, describeDeadLetter } from './dead-letter';
import { LIST_VISIBILITY_SECONDS, type ReadOptions, receive, releaseAll } from './dead-letter-queue';

/**
 * Lists the DLQ without moving anything. Messages are received (which hides them briefly) until
 * none is left or `max` are listed, then all are made visible again at once.
 */
export async function listDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, options: ReadOptions = {}): Promise<DeadLetter[]> {
  const seen = new Map<string, Message>();
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    while (seen.size < max) {
      const messages = await receive(sqs, deadLetterQueueUrl, max - seen.size, LIST_VISIBILITY_SECONDS, options);
      if (messages.length === 0) break;
      for (const message of messages) seen.set(message.MessageId!, message);
    }
  } finally {
    await releaseAll(sqs, deadLetterQueueUrl, [...seen.values()]);
  }
  return [...seen.values()].map(describeDeadLetter);
}
