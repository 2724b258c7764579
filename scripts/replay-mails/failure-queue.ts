import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { longPoll } from '../cli/aws-client-config';
import { describeError } from '../cli/format';
import type { ReplayMailsIo } from './clients';

/* The failure queue's messages: received hidden for a while, released, or deleted once replayed. */

export async function receive(sqs: SQSClient, queueUrl: string, count: number, visibility: number, io: ReplayMailsIo): Promise<Message[]> {
  const waitTimeSeconds = io.waitTimeSeconds ?? 2;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: count,
      VisibilityTimeout: visibility,
      WaitTimeSeconds: waitTimeSeconds,
    }),
    longPoll(waitTimeSeconds),
  );
  return Messages;
}

export async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (const message of messages) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }));
  }
}

/** Reports a failed delete itself; false then. */
export async function deleteMessage(sqs: SQSClient, queueUrl: string, message: Message, io: ReplayMailsIo): Promise<boolean> {
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    return true;
  } catch (error) {
    io.err(`replay-mails: message ${message.MessageId!} could not be deleted (${describeError(error)}); a new run finds its mails sent and deletes it`);
    return false;
  }
}
