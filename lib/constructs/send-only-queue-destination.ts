import type { DlqDestinationConfig, IEventSourceDlq, IEventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * The event source's on-failure destination, allowed `sqs:SendMessage` and nothing else (what
 * Lambda needs for an SQS destination). `SqsDlq` would also grant GetQueueAttributes and GetQueueUrl.
 */
export class SendOnlyQueueDestination implements IEventSourceDlq {
  constructor(private readonly queue: IQueue) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    this.queue.grant(targetHandler, 'sqs:SendMessage');
    return { destination: this.queue.queueArn };
  }
}
