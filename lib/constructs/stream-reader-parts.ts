import { type Duration, Validations } from 'aws-cdk-lib';
import { GraphWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MAIL_DEFAULTS } from '../pipeline-defaults';
import { SendOnlyQueueDestination } from './send-only-queue-destination';
import { METRIC_PERIOD } from './pipeline-metrics';

/*
 * What the readers of the sync table's stream (the mail notifier, the change events publisher)
 * build alike: their event source, its on-failure queue, and the dashboard graph of how they
 * keep up.
 */

export interface StreamEventSourceSettings {
  readonly batchSize: number;
  readonly retryAttempts?: number;
  readonly maxRecordAge: Duration;
  readonly maxBatchingWindow?: Duration;
  readonly failureQueue: IQueue;
  readonly filters?: Array<Record<string, unknown>>;
}

/** What every stream reader's props set of its event source and alarm. */
export interface StreamReaderLimits {
  readonly batchSize: number;
  readonly retryAttempts?: number;
  readonly maxRecordAge: Duration;
  readonly iteratorAgeAlarmThreshold: Duration;
}

/**
 * Checks a stream reader's settings at synth against Lambda's limits and the stream's retention
 * (a record older than the stream keeps could never be handed on); `reader` names the props in
 * the message (`mail`, `changeEvents`).
 */
export function checkStreamReaderLimits(reader: string, limits: StreamReaderLimits): void {
  const { batchSize, retryAttempts, maxRecordAge, iteratorAgeAlarmThreshold } = limits;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(`${reader} batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  }
  if (retryAttempts !== undefined && (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000)) {
    throw new Error(`${reader} retryAttempts must be an integer from 0 to 10000, got ${retryAttempts}`);
  }
  if (maxRecordAge.toSeconds() < 60 || maxRecordAge.toSeconds() >= MAIL_DEFAULTS.streamRetention.toSeconds()) {
    throw new Error(`${reader} maxRecordAge must be from 1 minute to under 24 hours (the stream's retention), got ${maxRecordAge.toHumanString()}`);
  }
  if (iteratorAgeAlarmThreshold.toSeconds() < 60) throw new Error(`${reader} iteratorAgeAlarmThreshold must be at least 1 minute`);
}

/**
 * The event source of a stream reader, on `fn`: from the oldest record the stream holds, one batch
 * per shard at a time (records of one item stay in order), partial batch responses (the first
 * failed record and what follows are retried), bisection of a failing batch, and, after the
 * retries or at `maxRecordAge`, the batch's description to `failureQueue`. It grants the stream
 * reads (DescribeStream, GetRecords, GetShardIterator, ListStreams) on the table's stream.
 */
export function addStreamEventSource(fn: IFunction, table: ITable, settings: StreamEventSourceSettings): DynamoEventSource {
  const source = new DynamoEventSource(table, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: settings.batchSize,
    ...(settings.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: settings.maxBatchingWindow }),
    parallelizationFactor: 1,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    ...(settings.retryAttempts === undefined ? {} : { retryAttempts: settings.retryAttempts }),
    maxRecordAge: settings.maxRecordAge,
    onFailure: new SendOnlyQueueDestination(settings.failureQueue),
    ...(settings.filters === undefined ? {} : { filters: settings.filters }),
  });
  fn.addEventSource(source);
  return source;
}

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
