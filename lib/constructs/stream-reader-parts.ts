import { type Duration, Validations } from 'aws-cdk-lib';
import { GraphWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC_PERIOD } from './pipeline-metrics';

/*
 * What the readers of the sync table's stream (the mail notifier, the change events publisher)
 * build alike: the on-failure queue of their event source, and the dashboard graph of how they
 * keep up.
 */

/**
 * The on-failure destination of a stream event source: SQS-managed encryption, TLS only, and
 * `retention` (the batches it holds are owed work, kept as long as SQS allows).
 */
export function streamFailureQueue(scope: Construct, id: string, reader: string, retention: Duration): Queue {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: retention });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is a dead-letter queue: the on-failure destination of the ${reader}'s stream event source. cdk-nag only recognizes queues named in another queue's redrive policy.`,
  });
  return queue;
}

/** Iterator age on the left; what is in the failure queue and the function's errors on the right. */
export function streamLagWidget(reader: { readonly function: IFunction; readonly failureQueue: IQueue }, title: string, errorsLabel: string): GraphWidget {
  return new GraphWidget({
    title,
    width: 12,
    height: 6,
    left: [reader.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD, label: 'Iterator age (ms)' })],
    right: [
      reader.failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: METRIC_PERIOD, label: 'In the failure queue' }),
      reader.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD, label: errorsLabel }),
    ],
  });
}
