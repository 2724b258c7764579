import { Aws, CfnOutput, type Duration, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { EventProcessor } from './constructs/event-processor';
import { EventQueue } from './constructs/event-queue';
import { IngestApi } from './constructs/ingest-api';
import { type MailNotificationsProps, MailNotifier } from './constructs/mail-notifier';
import { PipelineMonitoring } from './constructs/monitoring';
import type { LogLevel } from './constructs/node-function';
import { SyncTable } from './constructs/sync-table';
import { WebhookVerifier } from './constructs/webhook-verifier';
import { PIPELINE_DEFAULTS } from './pipeline-defaults';

export interface ClerkWebhookSyncStackProps extends StackProps {
  /**
   * Use this existing Secrets Manager secret (by name) for the signing secret.
   * @default - the stack creates one with a placeholder value
   */
  readonly existingSigningSecretName?: string;
  /**
   * Use this existing Secrets Manager secret (complete ARN) for the signing secret.
   * @default - the stack creates one with a placeholder value
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
   * Retention of every log group of the stack.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Log level of both functions.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * E-mail address subscribed to the alarm topic (context value `alarmEmail`).
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
   * Welcome and admin-welcome mails through SES, sent exactly once from the sync table's stream
   * (docs/notifications.md). Absent, the feature is off and leaves nothing in the template: no
   * table stream, notifier, ledger, failure queue or alarms. From context: `mailFrom` turns it
   * on, `mailSesIdentity` and `appName` refine it.
   * @default - no mails
   */
  readonly mail?: MailNotificationsProps;
}

/**
 * Clerk/Svix -> HTTP API -> verifier -> SQS (+ DLQ) -> processor -> DynamoDB (SPEC §2).
 * Each concern is one construct in ./constructs; this class only wires them and names the outputs.
 */
export class ClerkWebhookSyncStack extends Stack {
  public readonly syncTable: SyncTable;
  public readonly events: EventQueue;
  public readonly verifier: WebhookVerifier;
  public readonly api: IngestApi;
  public readonly processor: EventProcessor;
  public readonly monitoring: PipelineMonitoring;
  /** Present when the `mail` prop is. */
  public readonly mailNotifier?: MailNotifier;

  constructor(scope: Construct, id: string, props: ClerkWebhookSyncStackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        props.description ??
        'clerk-webhook-sync: keeps a DynamoDB copy of Clerk users, sessions, organizations and memberships',
    });
    const logging = { logLevel: props.logLevel, logRetention: props.logRetention };

    this.syncTable = new SyncTable(this, 'SyncTable', {
      removalPolicy: props.tableRemovalPolicy,
      deletionProtection: props.tableDeletionProtection,
      stream: props.mail ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    });

    this.events = new EventQueue(this, 'Events', {
      maxReceiveCount: props.maxReceiveCount,
      consumerTimeout: PIPELINE_DEFAULTS.processorTimeout,
    });

    this.verifier = new WebhookVerifier(this, 'WebhookVerifier', {
      ...logging,
      queue: this.events.queue,
      existingSigningSecretName: props.existingSigningSecretName,
      existingSigningSecretArn: props.existingSigningSecretArn,
    });

    this.api = new IngestApi(this, 'IngestApi', {
      handler: this.verifier.function,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
      logRetention: props.logRetention,
    });

    this.processor = new EventProcessor(this, 'EventProcessor', {
      ...logging,
      events: this.events,
      table: this.syncTable.table,
      timeout: PIPELINE_DEFAULTS.processorTimeout,
      batchSize: props.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
    });

    if (props.mail) {
      this.mailNotifier = new MailNotifier(this, 'MailNotifier', {
        ...logging,
        ...props.mail,
        syncTable: this.syncTable,
      });
    }

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      api: this.api,
      verifier: this.verifier.function,
      processor: this.processor.function,
      events: this.events,
      table: this.syncTable.table,
      alarmEmail: props.alarmEmail,
      oldestMessageAgeThreshold: props.oldestMessageAgeAlarmThreshold,
      signatureRejectionThreshold: props.signatureRejectionAlarmThreshold,
      additionalAlarms: this.mailNotifier?.alarmSpecs(),
      additionalWidgets: this.mailNotifier?.dashboardWidgets(),
    });

    new CfnOutput(this, 'WebhookUrl', {
      description: 'Paste into the Clerk dashboard (Webhooks > Add endpoint)',
      value: this.api.webhookUrl,
    });
    new CfnOutput(this, 'SigningSecretArn', {
      description: this.verifier.signingSecretCreated
        ? 'Holds a placeholder: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string whsec_...'
        : 'Existing secret the verifier reads the signing secret(s) from',
      value: this.verifier.signingSecret.secretArn,
    });
    new CfnOutput(this, 'SigningSecretName', { value: this.verifier.signingSecret.secretName });
    new CfnOutput(this, 'TableName', { value: this.syncTable.table.tableName });
    new CfnOutput(this, 'QueueUrl', { value: this.events.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'Messages that failed maxReceiveCount times or were rejected as poison; redrive with npm run redrive or the SQS console',
      value: this.events.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm notifies this SNS topic when it fires and when it clears; subscribe e-mail, chat or paging to it',
      value: this.monitoring.topic.topicArn,
    });
    const dashboardName = this.monitoring.dashboard.dashboardName;
    new CfnOutput(this, 'DashboardName', { value: dashboardName });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard of the pipeline (console of the aws partition)',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboardName}`,
    });
    if (this.mailNotifier) {
      new CfnOutput(this, 'LedgerTableName', {
        description: 'Mail ledger: one item per welcome or admin welcome (sending or sent), keyed WELCOME#<userId> / ADMIN_WELCOME#<membershipId>',
        value: this.mailNotifier.ledger.tableName,
      });
      new CfnOutput(this, 'MailFailureQueueUrl', {
        description: 'Stream batches the notifier gave up on (shard and sequence range; their mails were not sent); alarmed',
        value: this.mailNotifier.failureQueue.queueUrl,
      });
    }
  }
}

/** Context keys the app reads (`cdk synth -c signingSecretName=...`). */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  signingSecretName: 'signingSecretName',
  signingSecretArn: 'signingSecretArn',
  alarmEmail: 'alarmEmail',
  /** Sender address of the mails; turns mail notifications on. */
  mailFrom: 'mailFrom',
  /** SES identity to send as (default: the domain of mailFrom). */
  mailSesIdentity: 'mailSesIdentity',
  /** Application name shown in the mails. */
  appName: 'appName',
} as const;

/** Stack props that may come from CDK context instead of code. */
export function stackPropsFromContext(scope: IConstruct): ClerkWebhookSyncStackProps {
  return {
    existingSigningSecretName: optionalStringContext(scope, CONTEXT_KEYS.signingSecretName),
    existingSigningSecretArn: optionalStringContext(scope, CONTEXT_KEYS.signingSecretArn),
    alarmEmail: optionalStringContext(scope, CONTEXT_KEYS.alarmEmail),
    mail: mailPropsFromContext(scope),
  };
}

function mailPropsFromContext(scope: IConstruct): MailNotificationsProps | undefined {
  const fromAddress = optionalStringContext(scope, CONTEXT_KEYS.mailFrom);
  const sesIdentity = optionalStringContext(scope, CONTEXT_KEYS.mailSesIdentity);
  const appName = optionalStringContext(scope, CONTEXT_KEYS.appName);
  if (fromAddress === undefined) {
    if (sesIdentity !== undefined || appName !== undefined) {
      throw new Error(
        `context values "${CONTEXT_KEYS.mailSesIdentity}" and "${CONTEXT_KEYS.appName}" configure mails, which only "${CONTEXT_KEYS.mailFrom}" turns on: give ${CONTEXT_KEYS.mailFrom} too`,
      );
    }
    return undefined;
  }
  return { fromAddress, sesIdentity, appName };
}

export function optionalStringContext(scope: IConstruct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`context value "${key}" must be a non-empty string`);
  }
  return value;
}
