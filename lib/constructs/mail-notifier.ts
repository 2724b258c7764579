import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  type DlqDestinationConfig,
  FilterCriteria,
  FilterRule,
  type IEventSourceDlq,
  type IEventSourceMapping,
  type IFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_DEFAULTS, NOTIFIER_ENV } from '../../lambdas/notifier/notifier-defaults';
import { LEDGER_KEYS } from '../../lambdas/shared/mail-ledger-schema';
import { NOTIFIER_METRICS, SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import type { MembershipItem, UserItem } from '../../lambdas/shared/table-schema';
import { MAIL_DEFAULTS } from '../pipeline-defaults';
import type { AlarmSpec } from './monitoring';
import { type FunctionLoggingProps, NodeFunction, PROJECT_ROOT } from './node-function';
import { METRIC_PERIOD, type PipelineMetrics } from './pipeline-metrics';
import type { SyncTable } from './sync-table';

/** What a deployment says about its mails (the stack's `mail` prop; docs/notifications.md). */
export interface MailNotificationsProps {
  /**
   * Sender of every mail: `welcome@acme.example`, or with a display name
   * `Acme <welcome@acme.example>`. Must be covered by `sesIdentity`.
   */
  readonly fromAddress: string;
  /**
   * The SES identity (a verified domain or address in the stack's account and region) the
   * notifier sends as; `ses:SendEmail` is granted on this identity alone. While the SES account
   * is in the sandbox, SES also checks the recipient's identity and refuses unverified recipients.
   * @default - the domain of `fromAddress`
   */
  readonly sesIdentity?: string;
  /**
   * SES configuration set the sends use (event publishing, suppression, dedicated IPs).
   * SES v2 then requires `ses:SendEmail` on the set as well, which is granted.
   * @default - none
   */
  readonly configurationSetName?: string;
  /**
   * Name of the application, shown in the mails.
   * @default NOTIFIER_DEFAULTS.appName
   */
  readonly appName?: string;
  /**
   * Membership roles that get an admin welcome (Clerk role keys).
   * @default NOTIFIER_DEFAULTS.adminRoles (`org:admin`, `admin`)
   */
  readonly adminRoles?: string[];
  /**
   * A user or membership first seen longer than this after its creation is a backfill (an
   * import or a restore): no mail. Whole days.
   * @default MAIL_DEFAULTS.welcomeMaxAge (7 days)
   */
  readonly welcomeMaxAge?: Duration;
  /**
   * Retries of a failing batch by the event source before its metadata goes to the on-failure
   * queue (0 to 10,000; never unbounded, so one bad record cannot stall its shard for a day).
   * @default MAIL_DEFAULTS.retryAttempts (5)
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this are sent to the on-failure queue instead of the function. From
   * 1 minute to under 24 hours: DynamoDB drops stream records after 24 hours, and a record
   * dropped that way leaves no trace in the on-failure queue.
   * @default MAIL_DEFAULTS.maxRecordAge (6 hours)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Stream records per invocation (1 to 10,000).
   * @default MAIL_DEFAULTS.batchSize (10)
   */
  readonly batchSize?: number;
  /**
   * Memory of the notifier function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How far the notifier may fall behind the stream (Lambda's IteratorAge) before the lag alarm fires.
   * @default MAIL_ALARM_DEFAULTS.iteratorAgeThreshold (30 minutes)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /**
   * What happens to the mail ledger when the stack (or the mail feature) is removed.
   * @default RemovalPolicy.DESTROY - see `MailNotifier.ledger`
   */
  readonly ledgerRemovalPolicy?: RemovalPolicy;
}

export interface MailNotifierProps extends MailNotificationsProps, FunctionLoggingProps {
  /** The table whose stream (NEW_AND_OLD_IMAGES) feeds the notifier; it reads users from it. */
  readonly syncTable: SyncTable;
}

export const MAIL_ALARM_DEFAULTS = {
  /**
   * Far above a healthy lag (seconds) and above the time a failing batch spends in its retries,
   * well below `maxRecordAge` (6 h), after which records go to the on-failure queue unsent.
   */
  iteratorAgeThreshold: Duration.minutes(30),
} as const;

/** What the notifier reads from the sync table: the user at send time, the membership of a pending admin welcome. */
export const NOTIFIER_TABLE_ACTIONS = ['dynamodb:GetItem'] as const;

/**
 * The notifier's calls on its ledger: claim, mark and the pending set (conditional UpdateItem,
 * which also creates), read (GetItem), release (DeleteItem). No PutItem: the code never calls it
 * (mail.test.ts compares these grants with the commands in lambdas/notifier).
 */
export const NOTIFIER_LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

// Checked against the table schema: a rename there fails the type check here, not the filter in production.
const USER_TYPE: UserItem['type'] = 'user';
const MEMBERSHIP_TYPE: MembershipItem['type'] = 'membership';

/**
 * Event filters of the notifier's stream event source: only records that can trigger a mail
 * invoke it (the function still checks every rule; docs/notifications.md). A record passes when
 * its new image is a user item, or a membership item whose role is an admin role.
 *
 * Only keys under `dynamodb` are used, the only key DynamoDB event source mappings filter on:
 * a REMOVE record (deletion, TTL expiry) has no new image, so it never matches, which is what
 * a filter on `eventName` would have said.
 */
export function notifierEventFilters(adminRoles: readonly string[]): Record<string, unknown>[] {
  return [
    FilterCriteria.filter({ dynamodb: { NewImage: { type: { S: FilterRule.isEqual(USER_TYPE) } } } }),
    FilterCriteria.filter({
      dynamodb: {
        NewImage: {
          type: { S: FilterRule.isEqual(MEMBERSHIP_TYPE) },
          role: { S: FilterRule.or(...adminRoles) },
        },
      },
    }),
  ];
}

const ADDRESS = /^[^\s@<>",;]+@([^\s@<>",;]+\.[^\s@<>",;]+)$/;

/** `welcome@acme.example` or `Acme <welcome@acme.example>` -> the address and its domain (lower case). */
export function parseFromAddress(fromAddress: string): { address: string; domain: string } {
  const named = /^[^<>]*<([^<>]+)>$/.exec(fromAddress.trim());
  const address = (named ? named[1]! : fromAddress).trim();
  const match = ADDRESS.exec(address);
  if (!match) {
    throw new Error(
      `mail fromAddress must be one e-mail address, optionally with a display name ("Acme <welcome@acme.example>"), got "${fromAddress}"`,
    );
  }
  return { address, domain: match[1]!.toLowerCase() };
}

/**
 * The SES identity to grant `ses:SendEmail` on: the given one (checked to cover the sender, or
 * SES would refuse every send at run time) or the sender's domain.
 */
export function sesIdentityFor(fromAddress: string, sesIdentity?: string): string {
  if (Token.isUnresolved(fromAddress)) {
    if (sesIdentity === undefined) {
      throw new Error('mail sesIdentity is required when fromAddress is only known at deploy time (a token)');
    }
    return sesIdentity;
  }
  const { address, domain } = parseFromAddress(fromAddress);
  if (sesIdentity === undefined) return domain;
  if (Token.isUnresolved(sesIdentity)) return sesIdentity;
  const identity = sesIdentity.trim().toLowerCase();
  if (!/^[^\s*?/:,<>]+$/.test(identity)) {
    throw new Error(`mail sesIdentity must be a domain or an e-mail address, got "${sesIdentity}"`);
  }
  const covers = identity.includes('@')
    ? identity === address.toLowerCase()
    : domain === identity || domain.endsWith(`.${identity}`);
  if (!covers) {
    throw new Error(
      `mail sesIdentity "${sesIdentity}" does not cover the sender ${address}: SES would refuse every send. ` +
        `Give the sender's domain (${domain}) or the address itself.`,
    );
  }
  return identity;
}

interface MailSettings {
  readonly adminRoles: readonly string[];
  readonly welcomeMaxAgeDays: number;
  readonly retryAttempts: number;
  readonly maxRecordAge: Duration;
  readonly batchSize: number;
  readonly iteratorAgeThreshold: Duration;
}

function validatedSettings(props: MailNotificationsProps): MailSettings {
  const adminRoles = props.adminRoles ?? NOTIFIER_DEFAULTS.adminRoles;
  if (adminRoles.length === 0 || adminRoles.some((role) => !/^[^\s,]+$/.test(role))) {
    // The function reads them from one comma-separated variable.
    throw new Error(`mail adminRoles must be one or more role keys without spaces or commas, got ${JSON.stringify(adminRoles)}`);
  }
  const welcomeMaxAge = props.welcomeMaxAge ?? MAIL_DEFAULTS.welcomeMaxAge;
  const welcomeMaxAgeDays = welcomeMaxAge.toDays({ integral: false });
  if (!Number.isInteger(welcomeMaxAgeDays) || welcomeMaxAgeDays < 1) {
    throw new Error(`mail welcomeMaxAge must be a whole number of days, at least 1, got ${welcomeMaxAge.toHumanString()}`);
  }
  const retryAttempts = props.retryAttempts ?? MAIL_DEFAULTS.retryAttempts;
  if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000) {
    throw new Error(`mail retryAttempts must be an integer from 0 to 10000, got ${retryAttempts}`);
  }
  const maxRecordAge = props.maxRecordAge ?? MAIL_DEFAULTS.maxRecordAge;
  const maxRecordAgeSeconds = maxRecordAge.toSeconds();
  if (maxRecordAgeSeconds < 60 || maxRecordAgeSeconds >= MAIL_DEFAULTS.streamRetention.toSeconds()) {
    throw new Error(
      `mail maxRecordAge must be from 1 minute to under 24 hours (the stream's retention), got ${maxRecordAge.toHumanString()}`,
    );
  }
  const batchSize = props.batchSize ?? MAIL_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(`mail batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  }
  const iteratorAgeThreshold = props.iteratorAgeAlarmThreshold ?? MAIL_ALARM_DEFAULTS.iteratorAgeThreshold;
  if (iteratorAgeThreshold.toSeconds() < 60) {
    throw new Error('mail iteratorAgeAlarmThreshold must be at least 1 minute');
  }
  if (props.appName !== undefined && props.appName.trim() === '') {
    throw new Error('mail appName must not be empty');
  }
  return { adminRoles, welcomeMaxAgeDays, retryAttempts, maxRecordAge, batchSize, iteratorAgeThreshold };
}

/**
 * The event source's on-failure destination, allowed `sqs:SendMessage` and nothing else (what
 * Lambda needs for an SQS destination). `SqsDlq` would also grant GetQueueAttributes and GetQueueUrl.
 */
class SendOnlyQueueDestination implements IEventSourceDlq {
  constructor(private readonly queue: IQueue) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    this.queue.grant(targetHandler, 'sqs:SendMessage');
    return { destination: this.queue.queueArn };
  }
}

/**
 * Welcome and admin-welcome mails, exactly once per real first occurrence (docs/notifications.md):
 * the notifier Lambda fed by the sync table's stream, its mail ledger, and the on-failure queue
 * of the stream event source.
 *
 * The event source: from the oldest record still in the stream (TRIM_HORIZON, so records written
 * while the mapping is created or re-created are not skipped; the ledger makes the replays
 * harmless), one batch at a time per shard (parallelization 1, so a user's changes arrive in
 * order), partial batch responses (the function returns the first record that failed; records
 * before it are checkpointed), bisection of failing batches, bounded retries and a maximum record
 * age, then the batch's metadata (shard and sequence range, not the records) to the on-failure queue.
 */
export class MailNotifier extends Construct {
  /**
   * The mail ledger: one item per mail (claim, then `sent`) and the pending admin welcomes.
   * Destroyed with the stack by default: it only matters while the stream it guards runs. The
   * stream keeps records for 24 hours and a user's first appearance happens once in the life of
   * the table, so a new stack (a new stream) cannot replay anything the old ledger remembers.
   */
  public readonly ledger: TableV2;
  /** Where the event source sends the metadata of batches it gave up on (alarmed). */
  public readonly failureQueue: Queue;
  public readonly function: IFunction;
  public readonly nodeFunction: NodeFunction;
  public readonly eventSource: DynamoEventSource;
  /** The SES identity the notifier may send as (`ses:SendEmail` is granted on it alone). */
  public readonly sesIdentity: string;
  public readonly retryAttempts: number;
  public readonly maxRecordAge: Duration;
  public readonly iteratorAgeAlarmThreshold: Duration;

  constructor(scope: Construct, id: string, props: MailNotifierProps) {
    super(scope, id);
    const settings = validatedSettings(props);
    this.sesIdentity = sesIdentityFor(props.fromAddress, props.sesIdentity);
    this.retryAttempts = settings.retryAttempts;
    this.maxRecordAge = settings.maxRecordAge;
    this.iteratorAgeAlarmThreshold = settings.iteratorAgeThreshold;
    const table = props.syncTable.table;
    if (props.syncTable.streamViewType !== StreamViewType.NEW_AND_OLD_IMAGES) {
      throw new Error('mail notifications need the sync table stream with NEW_AND_OLD_IMAGES (SyncTable prop `stream`)');
    }

    const ledgerRemovalPolicy = props.ledgerRemovalPolicy ?? RemovalPolicy.DESTROY;
    this.ledger = new TableV2(this, 'Ledger', {
      partitionKey: { name: LEDGER_KEYS.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: ledgerRemovalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: ledgerRemovalPolicy,
    });

    this.failureQueue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: MAIL_DEFAULTS.failureRetention,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is a dead-letter queue: the on-failure destination of the notifier's stream event source. cdk-nag only recognizes queues named in another queue's redrive policy.",
    });

    this.nodeFunction = new NodeFunction(this, 'Notifier', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'notifier', 'index.ts'),
      description: 'Sends welcome and admin-welcome mails from the sync table stream, exactly once',
      serviceName: SERVICE_NAMES.notifier,
      timeout: MAIL_DEFAULTS.notifierTimeout,
      memorySize: props.memorySize,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      metricsNamespace: props.metricsNamespace,
      environment: {
        [NOTIFIER_ENV.tableName]: table.tableName,
        [NOTIFIER_ENV.ledgerTableName]: this.ledger.tableName,
        [NOTIFIER_ENV.mailFrom]: props.fromAddress,
        // Always set, so the function's rules and the event filters use the same roles.
        [NOTIFIER_ENV.adminRoles]: settings.adminRoles.join(','),
        [NOTIFIER_ENV.welcomeMaxAgeDays]: String(settings.welcomeMaxAgeDays),
        [NOTIFIER_ENV.appName]: props.appName ?? NOTIFIER_DEFAULTS.appName,
        ...(props.configurationSetName === undefined
          ? {}
          : { [NOTIFIER_ENV.sesConfigurationSet]: props.configurationSetName }),
      },
    });
    this.function = this.nodeFunction.function;

    // DynamoEventSource grants the stream reads (DescribeStream, GetRecords, GetShardIterator,
    // ListStreams) on this table's stream ARN.
    this.eventSource = new DynamoEventSource(table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: settings.batchSize,
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: settings.maxRecordAge,
      onFailure: new SendOnlyQueueDestination(this.failureQueue),
      filters: notifierEventFilters(settings.adminRoles),
    });
    this.function.addEventSource(this.eventSource);

    // Base table only (no index), and only GetItem: the notifier never writes the sync table.
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: [...NOTIFIER_TABLE_ACTIONS],
      resourceArns: [table.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: [...NOTIFIER_LEDGER_ACTIONS],
      resourceArns: [this.ledger.tableArn],
    });
    const stack = Stack.of(this);
    const sesArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: ['ses:SendEmail'],
      resourceArns: [
        sesArn('identity', this.sesIdentity),
        ...(props.configurationSetName === undefined ? [] : [sesArn('configuration-set', props.configurationSetName)]),
      ],
    });
  }

  /**
   * The notifier's alarms, for the pipeline's monitoring to create with its topic and style
   * (keys are construct ids).
   */
  public alarmSpecs(metrics: PipelineMetrics): Record<string, AlarmSpec> {
    const retries = `${this.retryAttempts} retries`;
    const maxAge = this.maxRecordAge.toHumanString();
    return {
      MailFailuresNotEmpty: {
        name: 'mail-failures-not-empty',
        metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({
          statistic: Stats.MAXIMUM,
          period: METRIC_PERIOD,
        }),
        threshold: 1,
        description:
          `The notifier gave up on stream records (${retries} failed, or the records were older than ${maxAge}): their mails were NOT sent. ` +
          'Each message in the mail failure queue (output MailFailureQueueUrl) holds the shard and the sequence number range of a failed batch, not the records; the records stay readable in the table stream for 24 hours after they were written. ' +
          'First: find the cause in the notifier logs (SES refusing the sender or a sandbox recipient, throttling) and fix it. Within those 24 hours, `npm run replay-mails -- --failure-queue-url <MailFailureQueueUrl> --table <TableName> --ledger-table <LedgerTableName> --from <sender>` reads the records back from the stream and sends the mails still owed (the ledger skips mails already sent), deleting each message it completed; `--dry-run` lists them first. The alarm clears when the queue is empty.',
      },
      NotifierErrors: {
        name: 'notifier-errors',
        metric: this.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        threshold: 1,
        description:
          `The notifier function failed whole invocations (crash, timeout, bad configuration); the stream event source retries the batch, halving it, and after ${retries} sends its metadata to the mail failure queue. ` +
          'First: search the notifier log group for ERROR and "Task timed out"; check recent deployments and the function environment.',
      },
      MailStreamLagging: {
        name: 'mail-stream-lagging',
        metric: this.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD }),
        threshold: this.iteratorAgeAlarmThreshold.toMilliseconds(),
        description:
          `The notifier is ${this.iteratorAgeAlarmThreshold.toHumanString()} or more behind the sync table stream (IteratorAge): mails are late, records older than ${maxAge} go unsent to the mail failure queue, and the stream drops records after 24 hours. ` +
          'First: notifier errors and MailRecordsFailed on the dashboard, the notifier logs, and whether its event source mapping is enabled.',
      },
      MailRecordsFailing: {
        name: 'mail-records-failing',
        metric: metrics.notifier(NOTIFIER_METRICS.failed),
        threshold: 1,
        periods: 3,
        description:
          `Stream records failed in the notifier in each of the last three 5-minute periods (metric ${NOTIFIER_METRICS.failed}); the event source retries them and after ${retries} moves the batch to the mail failure queue. ` +
          'Usually SES refusing sends (identity not verified, sandbox recipient, sending quota or rate) or the ledger table throttled. First: the reason in the notifier logs.',
      },
    };
  }

  /** A dashboard row: what the mails came to, and how the stream is keeping up. */
  public dashboardWidgets(metrics: PipelineMetrics): IWidget[] {
    return [
      new GraphWidget({
        title: 'Mails: sent, skipped, records failed',
        width: 12,
        height: 6,
        left: [
          metrics.notifier(NOTIFIER_METRICS.sent, { label: 'Sent' }),
          metrics.notifier(NOTIFIER_METRICS.skipped, { label: 'Skipped (already sent, backfill, no e-mail, ...)' }),
          metrics.notifier(NOTIFIER_METRICS.failed, { label: 'Records failed (retried)' }),
        ],
      }),
      new GraphWidget({
        title: 'Mail stream: lag and failures',
        width: 12,
        height: 6,
        left: [this.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD, label: 'Iterator age (ms)' })],
        right: [
          this.failureQueue.metricApproximateNumberOfMessagesVisible({
            statistic: Stats.MAXIMUM,
            period: METRIC_PERIOD,
            label: 'In the failure queue',
          }),
          this.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD, label: 'Notifier errors' }),
        ],
      }),
    ];
  }
}
