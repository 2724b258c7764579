import { GraphWidget, type IWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { CHANGE_EVENT_METRICS } from '../../../lambdas/shared/metrics-contract';
import type { AlarmSpec } from '../monitoring';
import { METRIC_PERIOD, type PipelineMetrics } from '../pipeline-metrics';
import { streamLagWidget } from '../stream-reader-parts';
import type { ChangeEvents } from './change-events';

type Watched = Pick<ChangeEvents, 'function' | 'failureQueue' | 'maxRecordAge' | 'iteratorAgeAlarmThreshold'>;

/**
 * The publisher's alarms, for the pipeline's monitoring to create with its topic and style (keys
 * are construct ids). Each description tells the person paged what is late or missing and what to do.
 */
export function changeEventAlarmSpecs(publisher: Watched, metrics: PipelineMetrics): Record<string, AlarmSpec> {
  const maxAge = publisher.maxRecordAge.toHumanString();
  const threshold = publisher.iteratorAgeAlarmThreshold;
  return {
    ChangeEventFailuresNotEmpty: {
      name: 'change-event-failures-not-empty',
      metric: publisher.failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: METRIC_PERIOD }),
      threshold: 1,
      description:
        `The change events publisher gave up on stream records (older than ${maxAge}, or out of retries): their change events were NOT put on the bus. ` +
        'Each message in the change event failure queue (output ChangeEventFailureQueueUrl) names a shard and a sequence number range of the table stream, which keeps records for 24 hours. ' +
        'First: the reason in the publisher logs ("change events not published"), fixed. Then, within those 24 hours, read the range back (aws dynamodbstreams get-shard-iterator / get-records) and run its records through the publisher again, or tell the consumers which entities to re-read from the table (docs/change-events.md, "When events could not be published").',
    },
    ChangeEventsErrors: {
      name: 'change-events-errors',
      metric: publisher.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD }),
      threshold: 1,
      description:
        'The change events publisher failed whole invocations (crash, timeout, bad configuration); the stream event source retries the batch, halving it. ' +
        'First: search the publisher log group for ERROR and "Task timed out"; check recent deployments and the function environment.',
    },
    ChangeEventsLagging: {
      name: 'change-events-lagging',
      metric: publisher.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD }),
      threshold: threshold.toMilliseconds(),
      description:
        `The change events publisher is ${threshold.toHumanString()} or more behind the sync table stream (IteratorAge): consumers get changes late, records older than ${maxAge} go to the failure queue, and the stream drops records after 24 hours. ` +
        `First: publisher errors and ${CHANGE_EVENT_METRICS.recordsFailed} on the dashboard, the publisher logs (a bus that refuses events: its policy, a deleted bus, throttling), and whether its event source mapping is enabled.`,
    },
    ChangeEventRecordsFailing: {
      name: 'change-event-records-failing',
      metric: metrics.changeEvents(CHANGE_EVENT_METRICS.recordsFailed),
      threshold: 1,
      periods: 3,
      description:
        `Stream records failed in the change events publisher in each of the last three 5-minute periods (metric ${CHANGE_EVENT_METRICS.recordsFailed}); the event source retries them, holding back the records after them, until they are ${maxAge} old. ` +
        'First: the reason in the publisher logs ("change events not published").',
    },
  };
}

/** A dashboard row: what was published, and how the stream is keeping up. */
export function changeEventDashboardWidgets(publisher: Pick<ChangeEvents, 'function' | 'failureQueue'>, metrics: PipelineMetrics): IWidget[] {
  return [
    new GraphWidget({
      title: 'Change events: published, records failed',
      width: 12,
      height: 6,
      left: [
        metrics.changeEvents(CHANGE_EVENT_METRICS.published, { label: 'Published' }),
        metrics.changeEvents(CHANGE_EVENT_METRICS.recordsFailed, { label: 'Records failed (retried)' }),
      ],
    }),
    streamLagWidget(publisher, 'Change events stream: lag and failures', 'Publisher errors'),
  ];
}
