import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  type IWidget,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableBaseV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PROCESSOR_METRICS, REJECTION_REASONS, VERIFIER_METRICS } from '../../lambdas/shared/metrics-contract';
import { AlarmTopic } from './alarm-topic';
import { PROCESSOR_TABLE_ACTIONS } from './event-processor';
import type { EventQueue } from './event-queue';
import type { IngestApi } from './ingest-api';
import { PipelineDashboard } from './pipeline-dashboard';
import { METRIC_PERIOD, type PipelineMetrics, sumOfCounts } from './pipeline-metrics';

export const MONITORING_DEFAULTS = {
  /** Longer than a healthy backlog takes to drain, shorter than anyone would want the table to lag. */
  oldestMessageAgeThreshold: Duration.minutes(15),
  /** Signature failures in 5 minutes: a few stray requests are noise, a steady stream is not. */
  signatureRejectionThreshold: 20,
  /**
   * API 4xx answers in 5 minutes (one a second): scanners and stray requests stay far below, a
   * flood or throttled real traffic does not.
   */
  apiClientErrorThreshold: 300,
  /** 5-minute periods in a row: a burst that passes within 15 minutes is not worth waking anyone. */
  apiClientErrorPeriods: 3,
} as const;

export interface PipelineMonitoringProps {
  /** The pipeline's own metrics (its namespace), which the functions publish. */
  readonly metrics: PipelineMetrics;
  /**
   * Prefix of every alarm name (names show in notification subjects; they must be unique in the
   * account and region) and name of the CloudWatch dashboard (unique in the account and region).
   */
  readonly pipelineName: string;
  /** The webhook API (5xx answers). */
  readonly api: IngestApi;
  /** The verifier function (throttles; its custom metrics are found by service name). */
  readonly verifier: IFunction;
  /** The processor function (errors, throttles). */
  readonly processor: IFunction;
  /** The event queue and its DLQ. */
  readonly events: EventQueue;
  /** The sync table (throttled requests). */
  readonly table: TableBaseV2;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Age of the oldest message in the main queue that raises the queue-age alarm.
   * @default MONITORING_DEFAULTS.oldestMessageAgeThreshold (15 minutes)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * Signature rejections (401) in 5 minutes that raise the forgery / wrong-secret alarm.
   * @default MONITORING_DEFAULTS.signatureRejectionThreshold (20)
   */
  readonly signatureRejectionThreshold?: number;
  /**
   * API 4xx answers (429 included) in 5 minutes that, sustained, raise the `webhook-4xx` alarm.
   * @default MONITORING_DEFAULTS.apiClientErrorThreshold (300)
   */
  readonly apiClientErrorThreshold?: number;
  /**
   * Consecutive 5-minute periods at or above `apiClientErrorThreshold` that raise it.
   * @default MONITORING_DEFAULTS.apiClientErrorPeriods (3)
   */
  readonly apiClientErrorPeriods?: number;
  /**
   * Alarms of optional features (mail notifications), by construct id: created like the
   * pipeline's own (same topic, actions and name prefix) and shown on the dashboard.
   * @default - none
   */
  readonly additionalAlarms?: Readonly<Record<string, AlarmSpec>>;
  /**
   * Dashboard widgets of optional features, added as one row at the bottom.
   * @default - none
   */
  readonly additionalWidgets?: IWidget[];
}

/** Every alarm of the pipeline, by what it watches. */
export interface PipelineAlarms {
  readonly deadLetterQueueNotEmpty: Alarm;
  readonly oldestMessageTooOld: Alarm;
  readonly processorErrors: Alarm;
  readonly processorRecordsFailing: Alarm;
  readonly apiServerErrors: Alarm;
  readonly apiClientErrors: Alarm;
  readonly signatureRejections: Alarm;
  readonly verifierThrottles: Alarm;
  readonly processorThrottles: Alarm;
  readonly tableThrottles: Alarm;
}

/** One alarm: what it watches, when it fires and what its description tells the person paged. */
export interface AlarmSpec {
  readonly name: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  /**
   * Consecutive periods that must breach.
   * @default 1
   */
  readonly periods?: number;
}

/**
 * Alarms and a dashboard for the whole pipeline (README, "Monitoring" and "Operating").
 *
 * Every alarm notifies the topic when it fires and when it clears, and treats missing data as
 * not breaching: each metric here is only published while something happens (a request, an
 * invocation, a message in a queue, a throttle), so no data means nothing went wrong. Lambda
 * metrics are in AWS/Lambda, SQS in AWS/SQS, DynamoDB in AWS/DynamoDB, the API's in
 * AWS/ApiGateway; the functions' own are named by lambdas/shared/metrics-contract.ts.
 *
 * API throttling (429) has no metric of its own in an HTTP API: its 4xx metric mixes 429 with
 * the verifier's own 400/401/403/413 and with 404s from scanners. Only a sustained level of all
 * of them raises `webhook-4xx`; the dashboard splits the gateway's own 4xx from the verifier's.
 */
export class PipelineMonitoring extends Construct {
  public readonly topic: Topic;
  public readonly topicKey: Key;
  public readonly alarms: PipelineAlarms;
  /** The `additionalAlarms`, by the same ids. */
  public readonly additionalAlarms: Readonly<Record<string, Alarm>>;
  public readonly dashboard: Dashboard;

  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const oldestMessageAge = props.oldestMessageAgeThreshold ?? MONITORING_DEFAULTS.oldestMessageAgeThreshold;
    const signatureThreshold = props.signatureRejectionThreshold ?? MONITORING_DEFAULTS.signatureRejectionThreshold;
    if (!Number.isInteger(signatureThreshold) || signatureThreshold < 1) {
      throw new Error(`signatureRejectionThreshold must be a positive integer, got ${signatureThreshold}`);
    }
    const clientErrorThreshold = props.apiClientErrorThreshold ?? MONITORING_DEFAULTS.apiClientErrorThreshold;
    const clientErrorPeriods = props.apiClientErrorPeriods ?? MONITORING_DEFAULTS.apiClientErrorPeriods;
    for (const [name, value] of Object.entries({ apiClientErrorThreshold: clientErrorThreshold, apiClientErrorPeriods: clientErrorPeriods })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
    }
    if (oldestMessageAge.toSeconds() < 60) {
      throw new Error('oldestMessageAgeThreshold must be at least 1 minute (SQS publishes the age once a minute)');
    }
    this.alarmNamePrefix = props.pipelineName;

    const alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.alarmEmail });
    this.topic = alarmTopic.topic;
    this.topicKey = alarmTopic.key;

    const { queue, deadLetterQueue, maxReceiveCount } = props.events;
    const tableOperations = PROCESSOR_TABLE_ACTIONS.map((action) => action.replace(/^dynamodb:/, ''));

    this.alarms = {
      deadLetterQueueNotEmpty: this.alarm('DeadLetterQueueNotEmpty', {
        name: 'dead-letter-queue-not-empty',
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: Stats.MAXIMUM,
          period: METRIC_PERIOD,
        }),
        threshold: 1,
        description:
          `Events are in the dead-letter queue: the processor gave up on them (malformed or can never apply, or failed ${maxReceiveCount} receives), so the table is missing them. ` +
          'First: poll the DLQ in the SQS console. Messages the processor moved there itself carry the attributes errorReason, svixId and eventType; for the others search the processor logs for their svix id. ' +
          'Fix the cause, then redrive the DLQ to the main queue (npm run redrive --role-arn <RedriveRoleArn>, or Start DLQ redrive in the SQS console signed in as that role: the queue accepts no other sender): the processor is idempotent. The alarm clears when the DLQ is empty.',
      }),

      oldestMessageTooOld: this.alarm('OldestMessageTooOld', {
        name: 'queue-oldest-message-too-old',
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: METRIC_PERIOD }),
        threshold: oldestMessageAge.toSeconds(),
        description:
          `An event has waited in the main queue for ${oldestMessageAge.toHumanString()} or more: the processor is not keeping up or not consuming, so the table lags behind Clerk. ` +
          'First: on the dashboard, look at processor errors, throttles and table throttles; check that the event source mapping of the processor is enabled; read the processor logs.',
      }),

      processorErrors: this.alarm('ProcessorErrors', {
        name: 'processor-errors',
        metric: props.processor.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: 1,
        description:
          'The processor function failed whole invocations (crash, timeout, or bad configuration at start-up); the batch goes back to the queue and is retried. ' +
          'First: search the processor log group for ERROR and "Task timed out"; check recent deployments.',
      }),

      processorRecordsFailing: this.alarm('ProcessorRecordsFailing', {
        name: 'processor-records-failing',
        metric: props.metrics.processor(PROCESSOR_METRICS.failed),
        threshold: 1,
        periods: 3,
        description:
          `Events have failed with a retryable error in each of the last three 5-minute periods (metric ${PROCESSOR_METRICS.failed}); SQS redelivers them and moves them to the DLQ after ${maxReceiveCount} receives. ` +
          'Usually DynamoDB throttling or an AWS outage. First: read the reason in the processor logs ("event failed, SQS will redeliver it"); check table throttles on the dashboard.',
      }),

      apiServerErrors: this.alarm('ApiServerErrors', {
        name: 'webhook-5xx',
        // The API's own 5xx count, not the verifier's WebhooksFailed metric: it also counts
        // crashes, timeouts and throttles of the verifier, where no custom metric gets flushed.
        metric: props.api.httpApi.metricServerError({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: 1,
        description:
          'The webhook endpoint answered 5xx: Svix retries for about 28 hours, so events are delayed, not lost yet. ' +
          'Most often the signing secret is still the placeholder (put the whsec_ value from the Clerk dashboard), or the secret or the queue could not be reached. ' +
          `First: the verifier logs ("webhook not accepted" with its code) and ${VERIFIER_METRICS.failed} on the dashboard; then verifier errors and throttles.`,
      }),

      apiClientErrors: this.alarm('ApiClientErrors', {
        name: 'webhook-4xx',
        metric: props.api.httpApi.metricClientError({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: clientErrorThreshold,
        periods: clientErrorPeriods,
        description:
          `The webhook endpoint answered 4xx ${clientErrorThreshold} or more times in each of ${clientErrorPeriods} 5-minute periods in a row. ` +
          "Either the stage's rate limit is throttling (429: a flood, or a real burst larger than the limit; Svix retries throttled deliveries later, for up to 28 hours), or requests are being refused (by the verifier: signature, source address, headers; by the gateway: unknown routes). " +
          `First: on the dashboard, "Answers other than 2xx" splits the gateway's own 4xx (429, 404) from the verifier's ${VERIFIER_METRICS.rejected}, and "Rejections (4xx) by reason" says why; the API access log has status and source address of every request.`,
      }),

      signatureRejections: this.alarm('SignatureRejections', {
        name: 'webhook-signature-rejections',
        metric: props.metrics.rejection(REJECTION_REASONS.signature),
        threshold: signatureThreshold,
        description:
          `${signatureThreshold} or more webhooks in 5 minutes were refused (401) for a signature that matches no signing secret. ` +
          'Either the secret in Secrets Manager is not the one of the Clerk endpoint (rotated in Clerk, or a new endpoint), and real events are being refused while Svix retries them, or someone is sending forged requests. ' +
          "First: compare the endpoint's signing secret in the Clerk dashboard with the stored one (during a rotation store both, space-separated); the Svix delivery log shows failing real deliveries; the API access log shows source IPs.",
      }),

      verifierThrottles: this.alarm('VerifierThrottles', {
        name: 'verifier-throttles',
        metric: props.verifier.metricThrottles({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: 1,
        description:
          "Lambda throttled the verifier: the account's concurrency (or a reserved concurrency) is used up, and the webhook answered with an error that Svix retries. " +
          'First: check ConcurrentExecutions of the account and which functions use it; raise the quota or reserve concurrency for the verifier.',
      }),

      processorThrottles: this.alarm('ProcessorThrottles', {
        name: 'processor-throttles',
        metric: props.processor.metricThrottles({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: 1,
        description:
          "Lambda throttled the processor: the account's concurrency is used up (the event source's own maximum concurrency never causes throttles). Events wait in the queue. " +
          'First: check ConcurrentExecutions of the account and which functions use it.',
      }),

      tableThrottles: this.alarm('TableThrottles', {
        name: 'table-throttles',
        metric: sumOfCounts(
          'Throttled requests on the sync table',
          Object.fromEntries(
            tableOperations.map((operation) => [
              operation.toLowerCase(),
              props.table.metricThrottledRequestsForOperation(operation, { statistic: Stats.SUM, period: METRIC_PERIOD }),
            ]),
          ),
        ),
        threshold: 1,
        description:
          `DynamoDB throttled requests of the processor on the sync table (${tableOperations.join(', ')}). On-demand tables throttle on a sudden peak above twice the previous one or on a hot partition (for example a cascade over a very large organization). ` +
          'The SDK and then SQS retry. First: the dashboard shows which operation; check whether Clerk is replaying or bulk-importing.',
      }),
    };

    this.additionalAlarms = Object.fromEntries(
      Object.entries(props.additionalAlarms ?? {}).map(([alarmId, spec]) => [alarmId, this.alarm(alarmId, spec)]),
    );

    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      dashboardName: props.pipelineName,
      metrics: props.metrics,
      api: props.api,
      verifier: props.verifier,
      processor: props.processor,
      events: props.events,
      tableThrottles: this.alarms.tableThrottles.metric,
      alarms: [...Object.values(this.alarms), ...Object.values(this.additionalAlarms)],
      additionalWidgets: props.additionalWidgets,
    }).dashboard;
  }

  private alarm(id: string, spec: AlarmSpec): Alarm {
    const periods = spec.periods ?? 1;
    const alarm = new Alarm(this, id, {
      alarmName: `${this.alarmNamePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
