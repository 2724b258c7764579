import { createHash } from 'node:crypto';
import { type AwsJsonClient, type AwsJsonClientOptions, createAwsJsonClient, SQS_SERVICE } from './aws-json-client';
import { AwsUnexpectedResponseError } from './aws-json-errors';
import type { MessageSender, QueueMessage } from './enqueue-event';

/** SQS accepted a message whose body, by the MD5 it reports, is not the one sent. */
export class MessageChecksumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageChecksumError';
  }
}

export interface SqsMessageSender extends MessageSender {
  destroy(): void;
}

/**
 * SendMessage over the AWS JSON 1.0 protocol. Like the SDK, it checks the `MD5OfMessageBody` SQS
 * answers against the body sent: a body changed on the way would be queued as something that was
 * never verified, so a mismatch fails the call (the verifier answers 503 and Svix delivers again).
 */
export function createSqsMessageSender(options: Omit<AwsJsonClientOptions, 'service'>): SqsMessageSender {
  const client: AwsJsonClient = createAwsJsonClient({ ...options, service: SQS_SERVICE });
  return {
    async sendMessage(message: QueueMessage) {
      const output = await client.call('SendMessage', {
        QueueUrl: message.queueUrl,
        MessageBody: message.body,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      });
      const expected = createHash('md5').update(message.body, 'utf8').digest('hex');
      if (output.MD5OfMessageBody !== expected) {
        throw new MessageChecksumError('the MD5OfMessageBody SQS answered is not the MD5 of the body sent');
      }
      if (typeof output.MessageId !== 'string') throw new AwsUnexpectedResponseError('SQS answered SendMessage without a MessageId');
      return { messageId: output.MessageId };
    },
    destroy: () => client.destroy(),
  };
}
