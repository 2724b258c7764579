import * as path from 'node:path';
import { ArnFormat, type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFIER_ENV } from '../../../lambdas/notifier/notifier-config';
import { LEDGER_KEYS } from '../../../lambdas/shared/mail-ledger-schema';
import { SERVICE_NAMES } from '../../../lambdas/shared/metrics-contract';
import { MAIL_DEFAULTS } from '../../pipeline-defaults';
import type { AlarmSpec } from '../monitoring';
import type { PipelineMetrics } from '../pipeline-metrics';
import { type FunctionLoggingProps, functionLogging, NodeFunction, PROJECT_ROOT } from '../node-function';
import { addStreamEventSource, streamFailureQueue } from '../stream-reader-parts';
import type { SyncTable } from '../sync-table';
import { mailAlarmSpecs } from './mail-alarms';
import { mailDashboardWidgets } from './mail-dashboard';
import type { MailNotificationsProps } from './mail-notifications-props';
import { mailSettings, sesIdentityFor } from './mail-settings';
import { notifierEventFilters } from './notifier-event-filters';

export interface MailNotifierProps extends MailNotificationsProps, FunctionLoggingProps {
  /** The table whose stream (NEW_AND_OLD_IMAGES) feeds the notifier; it reads users from it. */
  readonly syncTable: SyncTable;
}

/** What the notifier reads from the sync table: the user at send time, the membership of a pending admin welcome. */
export const NOTIFIER_TABLE_ACTIONS = ['dynamodb:GetItem'] as const;

/**
 * The notifier's calls on its ledger: claim, mark and the pending set (conditional UpdateItem,
 * which also creates), read (GetItem), release (DeleteItem). No PutItem: the code never calls it
 * (mail.test.ts compares these grants with the commands in lambdas/notifier).
 */
export const NOTIFIER_LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

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
    const settings = mailSettings(props);
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

    this.failureQueue = streamFailureQueue(this, 'FailureQueue', 'notifier', MAIL_DEFAULTS.failureRetention);

    this.nodeFunction = new NodeFunction(this, 'Notifier', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'notifier', 'index.ts'),
      description: 'Sends welcome and admin-welcome mails from the sync table stream, exactly once',
      serviceName: SERVICE_NAMES.notifier,
      timeout: MAIL_DEFAULTS.notifierTimeout,
      memorySize: props.memorySize,
      ...functionLogging(props),
      environment: {
        [NOTIFIER_ENV.tableName]: table.tableName,
        [NOTIFIER_ENV.ledgerTableName]: this.ledger.tableName,
        [NOTIFIER_ENV.mailFrom]: props.fromAddress,
        // Always set, so the function's rules and the event filters use the same roles.
        [NOTIFIER_ENV.adminRoles]: settings.adminRoles.join(','),
        [NOTIFIER_ENV.welcomeMaxAgeDays]: String(settings.welcomeMaxAgeDays),
        [NOTIFIER_ENV.appName]: settings.appName,
        ...(props.configurationSetName === undefined
          ? {}
          : { [NOTIFIER_ENV.sesConfigurationSet]: props.configurationSetName }),
      },
    });
    this.function = this.nodeFunction.function;

    this.eventSource = addStreamEventSource(this.function, table, {
      batchSize: settings.batchSize,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: settings.maxRecordAge,
      failureQueue: this.failureQueue,
      filters: notifierEventFilters(settings.adminRoles),
    });

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
    return mailAlarmSpecs(this, metrics);
  }

  /** A dashboard row: what the mails came to, and how the stream is keeping up. */
  public dashboardWidgets(metrics: PipelineMetrics): IWidget[] {
    return mailDashboardWidgets(this, metrics);
  }
}
