import { Aws, CfnOutput, type Duration, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroupClass, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ChangeEvents, type ChangeEventsProps } from './constructs/change-events';
import { EventProcessor } from './constructs/event-processor';
import { EventQueue } from './constructs/event-queue';
import { IngestApi } from './constructs/ingest-api';
import { type MailNotificationsProps, MailNotifier } from './constructs/mail-notifier';
import { PipelineMonitoring } from './constructs/monitoring';
import type { LogLevel, SystemLogLevel } from './constructs/node-function';
import { PipelineMetrics, pipelineNamespace } from './constructs/pipeline-metrics';
import { RedriveRole } from './constructs/redrive-role';
import { type ReconcileProps, ScheduledReconciliation } from './constructs/reconciliation';
import { type Gsi1Projection, SyncTable } from './constructs/sync-table';
import { WebhookVerifier } from './constructs/webhook-verifier';
import { PIPELINE_DEFAULTS } from './pipeline-defaults';

export interface ClerkWebhookSyncProps {
  /**
   * Names this pipeline wherever a name must be unique in the account and region: the prefix of
   * its alarm names, its dashboard, its metrics namespace (`ClerkWebhookSync/<name>`). Letters,
   * digits, `-` and `_`, at most 200 characters.
   * @default - the stack name and this construct's path in the stack, joined by `-` (`MyStack-Clerk`)
   */
  readonly name?: string;
  /**
   * Use this existing Secrets Manager secret (by name) for the signing secret.
   * @default - a secret is created with a placeholder value
   */
  readonly existingSigningSecretName?: string;
  /**
   * Use this existing Secrets Manager secret (complete ARN) for the signing secret.
   * @default - a secret is created with a placeholder value
   */
  readonly existingSigningSecretArn?: string;
  /**
   * Receives of a message before it moves to the DLQ.
   * @default PIPELINE_DEFAULTS.maxReceiveCount
   */
  readonly maxReceiveCount?: number;
  /**
   * Records per processor invocation.
   * @default PIPELINE_DEFAULTS.batchSize
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers a batch.
   * @default PIPELINE_DEFAULTS.maxBatchingWindow
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent processor invocations (at least 2).
   * @default PIPELINE_DEFAULTS.maxConcurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Ids of the Clerk instances (`ins_…`) whose events are applied; an authenticated event of any
   * other instance (a development instance's endpoint secret in the secret list, say) is
   * acknowledged, counted as `WebhooksForeignInstance` and never queued (README, "Security").
   * @default - events of any instance; each one is named in a verifier warning the first time it is seen
   */
  readonly allowedInstanceIds?: readonly string[];
  /**
   * Source addresses the verifier accepts requests from, before any other work (403 otherwise):
   * `'svix'` for the ranges Svix publishes, or IPv4/IPv6 addresses and CIDR ranges (may include
   * `'svix'`). See README, "Flooding the endpoint", before turning it on.
   * @default - any source
   */
  readonly allowedSourceIps?: 'svix' | readonly string[];
  /**
   * API steady-state rate limit, requests per second.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * API burst limit.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Removal policy of the table.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Deletion protection of the table.
   * @default - true unless `tableRemovalPolicy` is DESTROY
   */
  readonly tableDeletionProtection?: boolean;
  /**
   * What the table's gsi1 index projects: `public` (its public attributes, without `lastSeenAt`
   * and bookkeeping) or `all` (what deployments before it had). Changing it rebuilds the index.
   * @default 'public'
   */
  readonly gsi1Projection?: Gsi1Projection;
  /**
   * Retention of every log group of the pipeline.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Class of the API's access log group (IngestApiProps.accessLogClass): Infrequent Access by
   * default, half the ingestion price, queryable with Logs Insights; `STANDARD` for metric or
   * subscription filters and Live Tail. The functions' log groups stay Standard: their metrics
   * (EMF) need it.
   * @default LogGroupClass.INFREQUENT_ACCESS
   */
  readonly accessLogClass?: LogGroupClass;
  /**
   * Application log level of the functions, applied by Lambda. `INFO` adds one line per event;
   * warnings, errors and metrics are delivered at any level up to `WARN`.
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.logLevel ('WARN')
   */
  readonly logLevel?: LogLevel;
  /**
   * Level of Lambda's own records for the functions: `INFO` adds a start and a report record per
   * invocation (durations, memory).
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.systemLogLevel ('WARN')
   */
  readonly systemLogLevel?: SystemLogLevel;
  /**
   * X-Ray active tracing of every function (the HTTP API itself cannot be traced). What it costs
   * per million events is in BENCHMARKS.md; `-c tracing=true` turns it on for the app's stack.
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.tracing (false)
   */
  readonly tracing?: boolean;
  /**
   * E-mail address subscribed to the alarm topic.
   * @default - no subscription; subscribe to the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
  /**
   * Age of the oldest queued event that raises the queue-age alarm.
   * @default MONITORING_DEFAULTS.oldestMessageAgeThreshold (15 minutes)
   */
  readonly oldestMessageAgeAlarmThreshold?: Duration;
  /**
   * Signature rejections in 5 minutes that raise the forgery / wrong-secret alarm.
   * @default MONITORING_DEFAULTS.signatureRejectionThreshold (20)
   */
  readonly signatureRejectionAlarmThreshold?: number;
  /**
   * API 4xx answers (throttled 429s included) in a 5-minute period that, sustained, raise the
   * `webhook-4xx` alarm.
   * @default MONITORING_DEFAULTS.apiClientErrorThreshold (300)
   */
  readonly apiClientErrorAlarmThreshold?: number;
  /**
   * Consecutive 5-minute periods at or above `apiClientErrorAlarmThreshold` that raise the alarm.
   * @default MONITORING_DEFAULTS.apiClientErrorPeriods (3)
   */
  readonly apiClientErrorAlarmPeriods?: number;
  /**
   * Welcome and admin-welcome mails through SES, sent exactly once from the sync table's stream
   * (docs/notifications.md). Absent, the feature is off and leaves nothing behind: no notifier,
   * ledger, failure queue or alarms, and no table stream unless change events need it.
   * @default - no mails
   */
  readonly mail?: MailNotificationsProps;
  /**
   * Change events: one EventBridge event per committed change of a user, organization, membership
   * or session, read from the sync table's stream (docs/change-events.md). `{}` creates a bus;
   * `eventBus` uses yours. Absent, the feature is off and leaves nothing behind (no stream unless
   * mails are on, no publisher, bus, failure queue or alarms).
   * @default - no change events
   */
  readonly changeEvents?: ChangeEventsProps;
  /**
   * Scheduled reconciliation (README, "Backfill and reconciliation"): a sweep of Clerk's users,
   * organizations and memberships into the table, daily by default, with prune, drift metrics
   * and alarms. Absent, nothing of it is created.
   * @default - no scheduled reconciliation
   */
  readonly reconcile?: ReconcileProps;
  /**
   * Stack outputs for the values an operator needs (webhook URL, secret, table, queues, alarm
   * topic, dashboard). Their logical ids are derived from this construct's path, so several
   * pipelines in one stack never clash.
   * @default true
   */
  readonly outputs?: boolean;
}

/** Letters, digits, `-` and `_`: what a CloudWatch dashboard name allows, and safe in alarm names and namespaces. */
const PIPELINE_NAME = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The whole Clerk webhook sync pipeline, to drop into any CDK stack:
 * Clerk/Svix → HTTP API → verifier → SQS (+ DLQ) → processor → DynamoDB, with monitoring, and
 * optional mails and change events (docs/architecture.md). Each concern is one construct in ./constructs; this class
 * only wires them. Several instances can live in one stack: everything with an account-wide name
 * (alarms, dashboard, metrics namespace) carries the pipeline's `name`.
 */
export class ClerkWebhookSync extends Construct {
  /** Unique name of this pipeline (see the `name` prop). */
  public readonly pipelineName: string;
  /** CloudWatch namespace of the functions' own metrics: `ClerkWebhookSync/<name>`. */
  public readonly metricsNamespace: string;
  public readonly syncTable: SyncTable;
  public readonly events: EventQueue;
  public readonly verifier: WebhookVerifier;
  public readonly api: IngestApi;
  public readonly processor: EventProcessor;
  /** The role `npm run redrive -- --role-arn` assumes: the only sender to the queue besides the functions. */
  public readonly redrive: RedriveRole;
  public readonly monitoring: PipelineMonitoring;
  /** Present when the `mail` prop is. */
  public readonly mailNotifier?: MailNotifier;
  /** Present when the `changeEvents` prop is. */
  public readonly changeEvents?: ChangeEvents;
  /** Present when the `reconcile` prop is. */
  public readonly reconciliation?: ScheduledReconciliation;
  /** The stack outputs, by their construct id (`WebhookUrl`, `TableName`…); empty with `outputs: false`. */
  public readonly outputs: Readonly<Record<string, CfnOutput>>;

  constructor(scope: Construct, id: string, props: ClerkWebhookSyncProps = {}) {
    super(scope, id);
    this.pipelineName = props.name ?? defaultPipelineName(this);
    if (Token.isUnresolved(this.pipelineName) || !PIPELINE_NAME.test(this.pipelineName)) {
      throw new Error(
        `ClerkWebhookSync name must be 1 to 200 letters, digits, "-" or "_" known at synth time, got "${this.pipelineName}"`,
      );
    }
    this.metricsNamespace = pipelineNamespace(this.pipelineName);
    const metrics = new PipelineMetrics(this.metricsNamespace);
    const functionSettings = {
      logLevel: props.logLevel,
      systemLogLevel: props.systemLogLevel,
      tracing: props.tracing,
      logRetention: props.logRetention,
      metricsNamespace: this.metricsNamespace,
    };

    this.syncTable = new SyncTable(this, 'SyncTable', {
      removalPolicy: props.tableRemovalPolicy,
      deletionProtection: props.tableDeletionProtection,
      gsi1Projection: props.gsi1Projection,
      // One stream for both readers (DynamoDB allows two per shard without throttling).
      stream: props.mail || props.changeEvents ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    });

    this.events = new EventQueue(this, 'Events', {
      maxReceiveCount: props.maxReceiveCount,
      consumerTimeout: PIPELINE_DEFAULTS.processorTimeout,
    });

    this.verifier = new WebhookVerifier(this, 'WebhookVerifier', {
      ...functionSettings,
      queue: this.events.queue,
      existingSigningSecretName: props.existingSigningSecretName,
      existingSigningSecretArn: props.existingSigningSecretArn,
      allowedInstanceIds: props.allowedInstanceIds,
      allowedSourceIps: props.allowedSourceIps,
    });

    this.api = new IngestApi(this, 'IngestApi', {
      handler: this.verifier.function,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
      logRetention: props.logRetention,
      accessLogClass: props.accessLogClass,
    });

    this.processor = new EventProcessor(this, 'EventProcessor', {
      ...functionSettings,
      events: this.events,
      table: this.syncTable.table,
      timeout: PIPELINE_DEFAULTS.processorTimeout,
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      // Only the change-events feed reads what the read before each child write prevents.
      readParentsFirst: props.changeEvents !== undefined,
    });

    this.redrive = new RedriveRole(this, 'Redrive', { events: this.events });
    this.events.allowSendersOnly({
      queue: [roleOf(this.verifier.function), roleOf(this.processor.function), this.redrive.role],
      deadLetterQueue: [roleOf(this.processor.function)],
    });

    if (props.mail) {
      this.mailNotifier = new MailNotifier(this, 'MailNotifier', {
        ...functionSettings,
        ...props.mail,
        syncTable: this.syncTable,
      });
    }

    if (props.changeEvents) {
      this.changeEvents = new ChangeEvents(this, 'ChangeEvents', {
        ...functionSettings,
        ...props.changeEvents,
        syncTable: this.syncTable,
      });
    }

    if (props.reconcile) {
      this.reconciliation = new ScheduledReconciliation(this, 'Reconciliation', {
        ...functionSettings,
        ...props.reconcile,
        table: this.syncTable.table,
      });
    }

    // Each optional feature brings its own alarms and dashboard row.
    const features = [this.mailNotifier, this.changeEvents, this.reconciliation].filter((feature) => feature !== undefined);
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      pipelineName: this.pipelineName,
      metrics,
      api: this.api,
      verifier: this.verifier.function,
      processor: this.processor.function,
      events: this.events,
      table: this.syncTable.table,
      alarmEmail: props.alarmEmail,
      oldestMessageAgeThreshold: props.oldestMessageAgeAlarmThreshold,
      signatureRejectionThreshold: props.signatureRejectionAlarmThreshold,
      apiClientErrorThreshold: props.apiClientErrorAlarmThreshold,
      apiClientErrorPeriods: props.apiClientErrorAlarmPeriods,
      additionalAlarms: Object.fromEntries(features.flatMap((feature) => Object.entries(feature.alarmSpecs(metrics)))),
      additionalWidgets: features.flatMap((feature) => feature.dashboardWidgets(metrics)),
    });

    this.outputs = props.outputs === false ? {} : this.createOutputs();
  }

  private createOutputs(): Record<string, CfnOutput> {
    const outputs: Record<string, CfnOutput> = {};
    const output = (id: string, value: string, description?: string): void => {
      outputs[id] = new CfnOutput(this, id, { value, ...(description === undefined ? {} : { description }) });
    };
    output('WebhookUrl', this.api.webhookUrl, `${this.pipelineName}: paste into the Clerk dashboard (Webhooks > Add endpoint)`);
    output(
      'SigningSecretArn',
      this.verifier.signingSecret.secretArn,
      this.verifier.signingSecretCreated
        ? 'Holds a placeholder: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string whsec_...'
        : 'Existing secret the verifier reads the signing secret(s) from',
    );
    output('SigningSecretName', this.verifier.signingSecret.secretName);
    output('TableName', this.syncTable.table.tableName);
    output('QueueUrl', this.events.queue.queueUrl);
    output(
      'RedriveRoleArn',
      this.redrive.role.roleArn,
      'Assume with npm run redrive -- --role-arn <this ARN>: the only principal besides the functions that may send to the queue',
    );
    output(
      'DeadLetterQueueUrl',
      this.events.deadLetterQueue.queueUrl,
      'Messages that failed maxReceiveCount times or were rejected as poison; redrive with npm run redrive --role-arn <RedriveRoleArn> (or the SQS console as that role)',
    );
    output(
      'AlarmTopicArn',
      this.monitoring.topic.topicArn,
      'Every alarm notifies this SNS topic when it fires and when it clears; subscribe e-mail, chat or paging to it',
    );
    const dashboardName = this.monitoring.dashboard.dashboardName;
    output('DashboardName', dashboardName);
    output(
      'DashboardUrl',
      `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboardName}`,
      'CloudWatch dashboard of the pipeline (console of the aws partition)',
    );
    if (this.mailNotifier) {
      output(
        'LedgerTableName',
        this.mailNotifier.ledger.tableName,
        'Mail ledger: one item per welcome or admin welcome (sending or sent), keyed WELCOME#<userId> / ADMIN_WELCOME#<membershipId>',
      );
      output(
        'MailFailureQueueUrl',
        this.mailNotifier.failureQueue.queueUrl,
        'Stream batches the notifier gave up on (shard and sequence range; their mails were not sent); alarmed',
      );
    }
    if (this.changeEvents) {
      // A bus of yours (the eventBus prop) is already known where it was made.
      if (this.changeEvents.eventBusCreated) {
        output('EventBusName', this.changeEvents.eventBus.eventBusName, 'Change events (source clerk-webhook-sync): put your rules on this bus');
        output('EventBusArn', this.changeEvents.eventBus.eventBusArn);
      }
      output(
        'ChangeEventFailureQueueUrl',
        this.changeEvents.failureQueue.queueUrl,
        'Stream batches the change events publisher gave up on (shard and sequence range; their events were not published); alarmed',
      );
    }
    if (this.reconciliation) {
      output(
        'ReconcileStateMachineArn',
        this.reconciliation.stateMachine.stateMachineArn,
        'The scheduled reconciliation sweep; start an execution by hand to sweep now',
      );
    }
    return outputs;
  }
}

function roleOf(fn: IFunction): IRole {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no execution role`);
  return fn.role;
}

/** `<stack name>-<path of this construct inside its stack>`: unique in the account and region when stack names are. */
function defaultPipelineName(construct: Construct): string {
  const stack = Stack.of(construct);
  const inStack = construct.node.scopes.slice(stack.node.scopes.length).map((scope) => scope.node.id);
  return [stack.stackName, ...inStack].join('-').replace(/[^A-Za-z0-9_-]/g, '-');
}
