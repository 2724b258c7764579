import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from './format';

/** A queue given by URL, or by name (resolved with GetQueueUrl: the local emulator's URLs depend on its port). */
export type QueueRef = { readonly url: string } | { readonly name: string };

/** The queue's URL, checked to exist; `what` names it in the error ("dead-letter queue"). */
export async function resolveQueueUrl(sqs: SQSClient, queue: QueueRef, what: string): Promise<string> {
  try {
    if ('name' in queue) return (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl!;
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }));
    return queue.url;
  } catch (error) {
    const which = 'name' in queue ? `"${queue.name}"` : queue.url;
    throw new Error(`cannot use the ${what} ${which}: ${describeError(error)}`, { cause: error });
  }
}
