import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
  MathExpression,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PROCESSOR_METRICS, REJECTION_REASONS, VERIFIER_METRICS } from '../../lambdas/shared/metrics-contract';
import type { EventQueue } from './event-queue';
import type { IngestApi } from './ingest-api';
import { METRIC_PERIOD, type PipelineMetrics } from './pipeline-metrics';

export interface PipelineDashboardProps {
  /** Name of the dashboard (unique in the account and region). */
  readonly dashboardName: string;
  /** The pipeline's own metrics (its namespace). */
  readonly metrics: PipelineMetrics;
  readonly api: IngestApi;
  readonly verifier: IFunction;
  readonly processor: IFunction;
  readonly events: EventQueue;
  /** Throttled requests on the table (the same expression the table alarm uses). */
  readonly tableThrottles: IMetric;
  /**
   * Alarms shown in a status row at the top.
   * @default - none
   */
  readonly alarms?: IAlarm[];
  /**
   * Widgets of optional features (mail notifications), one row at the bottom.
   * @default - none
   */
  readonly additionalWidgets?: IWidget[];
}

const FULL = 24;
const HALF = 12;
const THIRD = 8;
const HEIGHT = 6;

/**
 * One dashboard, in the order a webhook travels: ingress and rejections, processing lag and
 * outcomes, the queues, then errors and throttles.
 */
export class PipelineDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const { api, verifier, processor, events, metrics } = props;
    const sum = { statistic: Stats.SUM, period: METRIC_PERIOD };

    this.dashboard = new Dashboard(this, 'Resource', { dashboardName: props.dashboardName });

    this.dashboard.addWidgets(
      new TextWidget({
        width: FULL,
        height: 2,
        markdown:
          '# Clerk webhook sync\nClerk/Svix → HTTP API → verifier → SQS queue (→ DLQ) → processor → DynamoDB. Each alarm description says what it means and what to check first.',
      }),
    );
    if (props.alarms && props.alarms.length > 0) {
      this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: FULL, height: 3 }));
    }

    const api4xx = api.httpApi.metricClientError({ ...sum, label: 'API 4xx (all)' });
    const rejected = metrics.verifier(VERIFIER_METRICS.rejected, { label: 'Rejected by the verifier' });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Ingress: webhooks received and verified',
        width: HALF,
        height: HEIGHT,
        left: [
          api.httpApi.metricCount({ ...sum, label: 'API requests' }),
          verifier.metricInvocations({ ...sum, label: 'Reached the verifier' }),
          metrics.verifierAccepted(verifier, 'Verified and queued'),
          metrics.verifier(VERIFIER_METRICS.foreignInstance, { label: 'Another Clerk instance (acknowledged, not queued)' }),
          metrics.verifier(VERIFIER_METRICS.notModelled, { label: 'Event type not stored (acknowledged, not queued)' }),
        ],
      }),
      new GraphWidget({
        title: 'Answers other than 2xx',
        width: HALF,
        height: HEIGHT,
        left: [
          api.httpApi.metricServerError({ ...sum, label: 'API 5xx' }),
          metrics.verifier(VERIFIER_METRICS.failed, { label: 'Verifier 5xx (secret or queue unavailable)' }),
          rejected,
          // What the gateway answered itself: 429 (stage throttling) and 404 (other routes).
          new MathExpression({
            expression: 'FILL(api4xx, 0) - FILL(rejected, 0)',
            usingMetrics: { api4xx, rejected },
            label: '4xx from the gateway (429 throttled, 404)',
            period: METRIC_PERIOD,
          }),
        ],
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Rejections (4xx) by reason',
        width: HALF,
        height: HEIGHT,
        stacked: true,
        left: Object.values(REJECTION_REASONS).map((reason) => metrics.rejection(reason, { label: reason })),
      }),
      new GraphWidget({
        title: 'Processing lag: event time to applied (ms)',
        width: HALF,
        height: HEIGHT,
        left: [
          metrics.processor(PROCESSOR_METRICS.lag, { statistic: Stats.p(50), label: 'p50' }),
          metrics.processor(PROCESSOR_METRICS.lag, { statistic: Stats.p(99), label: 'p99' }),
          metrics.processor(PROCESSOR_METRICS.lag, { statistic: Stats.MAXIMUM, label: 'max' }),
        ],
        leftYAxis: { label: 'ms', showUnits: false, min: 0 },
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Main queue: depth and age of the oldest message',
        width: HALF,
        height: HEIGHT,
        left: [
          events.queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, label: 'Waiting' }),
          events.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: Stats.MAXIMUM, label: 'Being processed' }),
        ],
        right: [events.queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, label: 'Oldest (s)' })],
      }),
      new GraphWidget({
        title: 'Dead-letter queue',
        width: HALF,
        height: HEIGHT,
        left: [
          events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: Stats.MAXIMUM,
            label: 'Messages in the DLQ',
          }),
        ],
        right: [metrics.processor(PROCESSOR_METRICS.deadLettered, { label: 'Dead-lettered by the processor' })],
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Processor outcomes',
        width: FULL,
        height: HEIGHT,
        left: [
          metrics.processor(PROCESSOR_METRICS.applied, { label: 'Applied' }),
          metrics.processor(PROCESSOR_METRICS.duplicate, { label: 'Duplicate' }),
          metrics.processor(PROCESSOR_METRICS.stale, { label: 'Stale' }),
          metrics.processor(PROCESSOR_METRICS.ignored, { label: 'Ignored (unmodelled type)' }),
          metrics.processor(PROCESSOR_METRICS.deadLettered, { label: 'Dead-lettered' }),
          metrics.processor(PROCESSOR_METRICS.failed, { label: 'Failed (retried)' }),
          metrics.processor(PROCESSOR_METRICS.cascadeContinued, { label: 'Cascades continued in a new message' }),
        ],
      }),
    );
    this.dashboard.addWidgets(
      ...(
        [
          ['Applied by event type', PROCESSOR_METRICS.applied],
          ['Duplicates by event type', PROCESSOR_METRICS.duplicate],
          ['Stale by event type', PROCESSOR_METRICS.stale],
        ] as const
      ).map(
        ([title, metricName]) =>
          new GraphWidget({ title, width: THIRD, height: HEIGHT, stacked: true, left: [metrics.perEventTypeSearch(metricName)] }),
      ),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        width: THIRD,
        height: HEIGHT,
        left: [
          verifier.metricErrors({ ...sum, label: 'Verifier errors' }),
          processor.metricErrors({ ...sum, label: 'Processor errors' }),
        ],
      }),
      new GraphWidget({
        title: 'Throttles',
        width: THIRD,
        height: HEIGHT,
        left: [
          verifier.metricThrottles({ ...sum, label: 'Verifier' }),
          processor.metricThrottles({ ...sum, label: 'Processor' }),
          props.tableThrottles,
        ],
      }),
      new GraphWidget({
        title: 'Function duration p99 (ms)',
        width: THIRD,
        height: HEIGHT,
        left: [
          verifier.metricDuration({ statistic: Stats.p(99), period: METRIC_PERIOD, label: 'Verifier' }),
          processor.metricDuration({ statistic: Stats.p(99), period: METRIC_PERIOD, label: 'Processor' }),
        ],
      }),
    );

    if (props.additionalWidgets && props.additionalWidgets.length > 0) {
      this.dashboard.addWidgets(...props.additionalWidgets);
    }
  }
}
