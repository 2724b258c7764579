import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  Choice,
  Condition,
  DefinitionBody,
  JsonPath,
  LogLevel as StateMachineLogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RECONCILER_DEFAULTS, RECONCILER_ENV } from '../../../lambdas/reconciler/reconciler-config';
import { STATE_TABLE_KEY } from '../../../lambdas/reconciler/sweep-state-table';
import { SERVICE_NAMES } from '../../../lambdas/shared/metrics-contract';
import type { AlarmSpec } from '../monitoring';
import { FUNCTION_OBSERVABILITY_DEFAULTS, type FunctionLoggingProps, functionLogging, NodeFunction, PROJECT_ROOT } from '../node-function';
import { grantSecretValue } from '../secret-value-grant';
import type { PipelineMetrics } from '../pipeline-metrics';
import { RECONCILE_DEFAULTS, RECONCILER_PRUNE_ACTIONS, RECONCILER_STATE_ACTIONS, RECONCILER_TABLE_ACTIONS } from './reconcile-defaults';
import { reconcileAlarmSpecs, reconcileDashboardWidgets } from './reconcile-monitoring';
import type { ReconcileProps } from './reconcile-props';

export interface ScheduledReconciliationProps extends ReconcileProps, FunctionLoggingProps {
  /** The sync table the sweep writes to. */
  readonly table: ITableV2;
  /**
   * Days a tombstone (of a pruned entity) lives before DynamoDB's TTL removes it; as the processor's.
   * @default PIPELINE_DEFAULTS.tombstoneTtlDays
   */
  readonly tombstoneTtlDays?: number;
}

/**
 * The scheduled sweep (README, "Backfill and reconciliation"): EventBridge Scheduler starts a
 * Step Functions state machine that invokes the reconciler Lambda in a loop. Each invocation
 * takes the lease in the state table, resumes the checkpoint there, works until two minutes
 * before its timeout and answers `{ done }`; the loop ends when the sweep is done. A million
 * users take several invocations; a second execution while one runs finds the lease held and
 * ends at once.
 */
export class ScheduledReconciliation extends Construct {
  /** The checkpoint and the lease (one item). */
  public readonly stateTable: TableV2;
  public readonly function: IFunction;
  public readonly nodeFunction: NodeFunction;
  public readonly stateMachine: StateMachine;
  public readonly schedule: Schedule;
  public readonly secretKey: ISecret;
  public readonly driftAlarmThreshold: number;
  public readonly prune: boolean;

  constructor(scope: Construct, id: string, props: ScheduledReconciliationProps) {
    super(scope, id);
    this.prune = props.prune ?? RECONCILER_DEFAULTS.prune;
    this.driftAlarmThreshold = props.driftAlarmThreshold ?? RECONCILE_DEFAULTS.driftAlarmThreshold;
    validate(props, this.driftAlarmThreshold);

    this.stateTable = new TableV2(this, 'StateTable', {
      partitionKey: { name: STATE_TABLE_KEY, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      // Progress of a sweep, nothing more: losing it costs one sweep starting over.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });

    this.secretKey = Secret.fromSecretNameV2(this, 'ClerkSecretKey', props.secretKeySecretName);

    this.nodeFunction = new NodeFunction(this, 'Reconciler', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'reconciler', 'index.ts'),
      description: 'Sweeps Clerk users, organizations and memberships into the sync table, and prunes what Clerk no longer has',
      serviceName: SERVICE_NAMES.reconciler,
      timeout: RECONCILE_DEFAULTS.functionTimeout,
      memorySize: props.memorySize ?? RECONCILE_DEFAULTS.memorySize,
      ...functionLogging(props),
      environment: {
        [RECONCILER_ENV.tableName]: props.table.tableName,
        [RECONCILER_ENV.stateTableName]: this.stateTable.tableName,
        // The name, not the partial ARN CDK knows: GetSecretValue resolves a name exactly.
        [RECONCILER_ENV.secretKeySecretId]: this.secretKey.secretName,
        [RECONCILER_ENV.prune]: String(this.prune),
        ...(props.requestsPerSecond === undefined ? {} : { [RECONCILER_ENV.requestsPerSecond]: String(props.requestsPerSecond) }),
        ...(props.clerkApiUrl === undefined ? {} : { [RECONCILER_ENV.clerkApiUrl]: props.clerkApiUrl }),
        ...(props.tombstoneTtlDays === undefined ? {} : { [RECONCILER_ENV.tombstoneTtlDays]: String(props.tombstoneTtlDays) }),
      },
    });
    this.function = this.nodeFunction.function;

    // Exactly the calls lambdas/reconciler makes, on the base table only (it never reads gsi1).
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: [...RECONCILER_TABLE_ACTIONS, ...(this.prune ? RECONCILER_PRUNE_ACTIONS : [])],
      resourceArns: [props.table.tableArn],
    });
    iam.Grant.addToPrincipal({ grantee: this.function, actions: [...RECONCILER_STATE_ACTIONS], resourceArns: [this.stateTable.tableArn] });
    grantSecretValue(this.function, this.secretKey);

    this.stateMachine = this.sweepLoop(props);

    // Our own role (CDK would share one per stack): it may start this state machine and nothing else.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'Lets EventBridge Scheduler start the Clerk reconciliation sweep',
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.expression(props.schedule ?? RECONCILE_DEFAULTS.schedule),
      description: 'Starts the Clerk reconciliation sweep',
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: scheduleRole,
        input: ScheduleTargetInput.fromObject({}),
        // A start that fails is tried again a few times within the hour; the next day's start comes anyway.
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /** The drift and failed-sweep alarms, for the pipeline's monitoring to create (keys are construct ids). */
  public alarmSpecs(metrics: PipelineMetrics): Record<string, AlarmSpec> {
    return reconcileAlarmSpecs(this, metrics);
  }

  /** A dashboard row: drift per hour and the sweeps' executions. */
  public dashboardWidgets(metrics: PipelineMetrics): IWidget[] {
    return reconcileDashboardWidgets(this, metrics);
  }

  /** Invoke, then again while the sweep is not done; the execution's name owns the lease. */
  private sweepLoop(props: ScheduledReconciliationProps): StateMachine {
    const sweep = new LambdaInvoke(this, 'Sweep', {
      lambdaFunction: this.function,
      payload: TaskInput.fromObject({ owner: JsonPath.stringAt('$$.Execution.Name') }),
      payloadResponseOnly: true,
      comment: 'One invocation: resume the checkpoint, work until two minutes before the timeout, save',
    });
    // The function retries Clerk itself; a failed invocation (Clerk down for minutes) gets two more tries later.
    sweep.addRetry({ errors: ['States.TaskFailed'], interval: Duration.minutes(2), maxAttempts: 2, backoffRate: 3 });
    const done = new Choice(this, 'Sweep done?').when(Condition.booleanEquals('$.done', true), new Succeed(this, 'Done')).otherwise(sweep);

    const logGroup = new LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const tracing = props.tracing ?? FUNCTION_OBSERVABILITY_DEFAULTS.tracing;
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(sweep.next(done)),
      timeout: props.sweepTimeout ?? RECONCILE_DEFAULTS.sweepTimeout,
      // As the functions: X-Ray only when the pipeline's `tracing` is on.
      tracingEnabled: tracing,
      // Execution data is the sweep's counts only, but stays out of the log anyway.
      logs: { destination: logGroup, level: StateMachineLogLevel.ALL, includeExecutionData: false },
    });
    if (!tracing) {
      Validations.of(stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          "X-Ray tracing follows the pipeline's `tracing` setting, off by default for cost (BENCHMARKS.md), as for every function; a sweep's executions are logged (level ALL) and its invocations by the reconciler's own log.",
      });
    }
    Validations.of(stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions needs "*" for delivering its logs to CloudWatch Logs (logs:CreateLogDelivery and the other log-delivery actions) and, with tracing on, for X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets), which support no resource-level permissions; CDK adds exactly these.',
    });
    const functionLogicalId = Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction);
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
      reason:
        "CDK's LambdaInvoke task grants lambda:InvokeFunction on the reconciler function and on its versions and aliases (`<arn>:*`); the role can invoke that one function and nothing else.",
    });
    return stateMachine;
  }
}

function validate(props: ReconcileProps, driftAlarmThreshold: number): void {
  if (Token.isUnresolved(props.secretKeySecretName) ? false : !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.secretKeySecretName)) {
    throw new Error(`reconcile secretKeySecretName must be a Secrets Manager secret name, got "${props.secretKeySecretName}"`);
  }
  if (props.requestsPerSecond !== undefined && !(props.requestsPerSecond > 0 && Number.isFinite(props.requestsPerSecond))) {
    throw new Error(`reconcile requestsPerSecond must be a positive number, got ${props.requestsPerSecond}`);
  }
  if (!Number.isInteger(driftAlarmThreshold) || driftAlarmThreshold < 1) {
    throw new Error(`reconcile driftAlarmThreshold must be a positive integer, got ${driftAlarmThreshold}`);
  }
  if (props.schedule !== undefined && !/^(rate|cron|at)\(.+\)$/.test(props.schedule)) {
    throw new Error(`reconcile schedule must be an EventBridge Scheduler expression such as "rate(1 day)" or "cron(0 3 * * ? *)", got "${props.schedule}"`);
  }
}
