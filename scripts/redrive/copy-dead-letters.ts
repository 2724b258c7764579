import { DeleteMessageCommand, type Message, type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../../lambdas/processor/dead-letter';
import { describeError } from '../cli/format';
import { type DeadLetter, describeDeadLetter } from './dead-letter';
import { MOVE_VISIBILITY_SECONDS, type ReadOptions, receive, releaseAll } from './dead-letter-queue';

export interface CopyResult {
  readonly moved: DeadLetter[];
  /** Sent to the queue but still in the DLQ (the delete failed): harmless, the processor skips the duplicate. */
  readonly notDeleted: Array<{ readonly message: DeadLetter; readonly error: string }>;
  /** Messages this run moved that were dead-lettered again meanwhile: left in the DLQ. */
  readonly returned: DeadLetter[];
  /** The first send that failed; that message, and any not yet moved, stay in the DLQ. */
  readonly failed?: { readonly message: DeadLetter; readonly error: string };
}

/**
 * Moves messages from the DLQ to the queue: each is sent first and deleted from the DLQ only once
 * the send succeeded, so a failure can duplicate a message but never lose one. Stops at the first
 * failed send and makes the messages of that round visible again.
 *
 * Like a move task, it moves only what was dead-lettered before it: a message it moved that fails
 * again (the processor dead-letters a permanent failure within milliseconds, naming the message in
 * `sourceMessageId`; SQS moves it keeping its id) is left in the DLQ and reported, not moved round
 * and round for as long as the processor keeps rejecting it.
 */
export async function copyDeadLetters(
  sqs: SQSClient,
  queues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string },
  options: ReadOptions & { readonly onMoved?: (message: DeadLetter) => void } = {},
): Promise<CopyResult> {
  const moved: DeadLetter[] = [];
  const notDeleted: Array<{ message: DeadLetter; error: string }> = [];
  /** Ids of the messages this run sent to the queue. */
  const sentIds = new Set<string>();
  /** Stay hidden until the end, so that the loop does not receive them again; then visible at once. */
  const returned: Message[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    while (moved.length + notDeleted.length < max) {
      const received = await receive(sqs, queues.deadLetterQueueUrl, max - moved.length - notDeleted.length, MOVE_VISIBILITY_SECONDS, options);
      if (received.length === 0) break;
      const messages = received.filter((message) => !cameBack(message, sentIds));
      returned.push(...received.filter((message) => cameBack(message, sentIds)));
      const results = await Promise.all(messages.map((message) => moveOne(sqs, queues, message)));
      let failed: CopyResult['failed'];
      const unsent: Message[] = [];
      results.forEach((result, index) => {
        const message = messages[index]!;
        const described = describeDeadLetter(message);
        if (result.sentId !== undefined) sentIds.add(result.sentId);
        if (result.sendError !== undefined) {
          unsent.push(message);
          failed ??= { message: described, error: result.sendError };
        } else if (result.deleteError !== undefined) {
          notDeleted.push({ message: described, error: result.deleteError });
        } else {
          moved.push(described);
          options.onMoved?.(described);
        }
      });
      if (failed !== undefined) {
        await releaseAll(sqs, queues.deadLetterQueueUrl, unsent).catch(() => undefined);
        return { moved, notDeleted, returned: returned.map(describeDeadLetter), failed };
      }
    }
  } finally {
    await releaseAll(sqs, queues.deadLetterQueueUrl, returned).catch(() => undefined);
  }
  return { moved, notDeleted, returned: returned.map(describeDeadLetter) };
}

/** Dead-lettered again after this run moved it: by the processor (sourceMessageId) or by SQS (same id). */
function cameBack(message: Message, sentIds: ReadonlySet<string>): boolean {
  const source = message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceMessageId]?.StringValue;
  return sentIds.has(message.MessageId!) || (source !== undefined && sentIds.has(source));
}

async function moveOne(
  sqs: SQSClient,
  queues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string },
  message: Message,
): Promise<{ sentId?: string; sendError?: string; deleteError?: string }> {
  let sentId: string | undefined;
  try {
    ({ MessageId: sentId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: message.Body!,
        MessageAttributes: copyAttributes(message.MessageAttributes),
      }),
    ));
  } catch (error) {
    return { sendError: describeError(error) };
  }
  const sent = sentId === undefined ? {} : { sentId };
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
  } catch (error) {
    return { ...sent, deleteError: describeError(error) };
  }
  return sent;
}

/** Received attributes as SendMessage takes them (without the list fields SQS reserves). */
function copyAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.DataType!,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
      },
    ]),
  );
}
