import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClerkWebhookSyncStack } from '../../lib/clerk-webhook-sync-stack';
import { propsFromContext } from '../../lib/context-props';
import { addNagChecks } from '../../lib/nag';
import { RECONCILER_TABLE_ACTIONS } from '../../lib/constructs/reconciliation';
import { permissions, permissionsOfRole } from './iam-permissions';
import { acknowledgementsIn, findingsIgnoringAcknowledgements } from './nag-findings';
import { type CfnResource, getAtt, onlyResource, ref, synthStack, testApp } from './synth-stack';

/*
 * The scheduled reconciliation (the `reconcile` prop, or `-c reconcileSecretKeySecretName=…`):
 * EventBridge Scheduler → Step Functions loop → reconciler Lambda, least privilege, alarms, nag.
 */

const SERVICE = 'clerk-webhook-reconciler';
let off: Template;
let on: Template;
beforeAll(() => {
  off = synthStack().template;
  on = synthStack({}, { reconcileSecretKeySecretName: 'clerk/secret-key' }).template;
});

const reconciler = (template: Template) =>
  onlyResource(template, 'AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: SERVICE }) } });
const roleOf = (resource: CfnResource, property = 'Role') => (resource.Properties![property] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const syncTable = (template: Template) =>
  onlyResource(template, 'AWS::DynamoDB::GlobalTable', { KeySchema: Match.arrayWith([Match.objectLike({ KeyType: 'RANGE' })]) }).id;
const stateTable = (template: Template) => onlyResource(template, 'AWS::DynamoDB::GlobalTable', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }).id;
const secretArn = {
  'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':secretsmanager:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':secret:clerk/secret-key-??????']],
};

it('is off by default: no schedule, state machine, reconciler, state table or alarm', () => {
  for (const type of ['AWS::Scheduler::Schedule', 'AWS::StepFunctions::StateMachine']) expect(off.findResources(type)).toEqual({});
  expect(Object.keys(off.findResources('AWS::Lambda::Function'))).toHaveLength(2);
  expect(Object.keys(off.findResources('AWS::CloudWatch::Alarm')).some((id) => id.includes('Reconcile'))).toBe(false);
});

it('starts a sweep daily with EventBridge Scheduler, through a role that may start that state machine only', () => {
  const { resource } = onlyResource(on, 'AWS::Scheduler::Schedule');
  expect(resource.Properties).toMatchObject({
    ScheduleExpression: 'rate(1 day)',
    State: 'ENABLED',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: ref(onlyResource(on, 'AWS::StepFunctions::StateMachine').id), Input: '{}', RetryPolicy: { MaximumRetryAttempts: 3 } },
  });
  const role = (resource.Properties!.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0];
  expect(permissionsOfRole(on, role)).toEqual(permissions(['states:StartExecution'], [ref(onlyResource(on, 'AWS::StepFunctions::StateMachine').id)]));
  expect(on.findResources('AWS::IAM::Role')[role]!.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
    Principal: { Service: 'scheduler.amazonaws.com' },
    Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
  });
  const custom = synthStack({ reconcile: { secretKeySecretName: 'k', schedule: 'cron(0 3 * * ? *)' } }).template;
  expect(onlyResource(custom, 'AWS::Scheduler::Schedule').resource.Properties!.ScheduleExpression).toBe('cron(0 3 * * ? *)');
});

it('loops a Standard state machine over the reconciler until it answers done, with logs, a timeout, and tracing as the pipeline says', () => {
  const { id, resource } = onlyResource(on, 'AWS::StepFunctions::StateMachine');
  expect(resource.Properties).toMatchObject({
    StateMachineType: 'STANDARD',
    LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
  });
  expect((resource.Properties!.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled ?? false).toBe(false);
  const traced = synthStack({ tracing: true }, { reconcileSecretKeySecretName: 'clerk/secret-key' }).template;
  expect(onlyResource(traced, 'AWS::StepFunctions::StateMachine').resource.Properties).toMatchObject({ TracingConfiguration: { Enabled: true } });
  const definition = JSON.parse(
    ((resource.Properties!.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1])
      .map((part) => (typeof part === 'string' ? part : '"FUNCTION_ARN"'))
      .join('')
      .replace(/""FUNCTION_ARN""/g, '"FUNCTION_ARN"'),
  );
  expect(definition).toMatchObject({
    StartAt: 'Sweep',
    TimeoutSeconds: 12 * 3600,
    States: {
      Sweep: {
        Type: 'Task',
        Resource: 'FUNCTION_ARN',
        Parameters: { 'owner.$': '$$.Execution.Name' },
        Next: 'Sweep done?',
        Retry: expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 })]),
      },
      'Sweep done?': { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Done' }], Default: 'Sweep' },
      Done: { Type: 'Succeed' },
    },
  });
  const reconcilerArn = getAtt(reconciler(on).id);
  expect(permissionsOfRole(on, roleOf(resource, 'RoleArn'))).toEqual(
    [
      ...permissions(['lambda:InvokeFunction'], [reconcilerArn, { 'Fn::Join': ['', [reconcilerArn, ':*']] }]),
      ...permissions(
        [
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
        ],
        ['*'],
      ),
    ].sort(),
  );
  expect(id).toBeDefined();
});

it('runs the reconciler for 15 minutes with its configuration, and lets it make exactly its calls', () => {
  const { resource } = reconciler(on);
  expect(resource.Properties).toMatchObject({
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Timeout: 900,
    MemorySize: 512,
    Environment: {
      Variables: {
        TABLE_NAME: ref(syncTable(on)),
        STATE_TABLE_NAME: ref(stateTable(on)),
        CLERK_SECRET_KEY_SECRET_ID: 'clerk/secret-key',
        PRUNE: 'true',
        POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Test',
      },
    },
  });
  const logGroup = (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  const expected = (tableActions: readonly string[]) =>
    [
      ...permissions(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroup)]),
      // The sync table itself, no index; the state table with UpdateItem alone; the one secret's value.
      ...permissions([...tableActions], [getAtt(syncTable(on))]),
      ...permissions(['dynamodb:UpdateItem'], [getAtt(stateTable(on))]),
      ...permissions(['secretsmanager:GetSecretValue'], [secretArn]),
    ].sort();
  expect(permissionsOfRole(on, roleOf(resource))).toEqual(expected([...RECONCILER_TABLE_ACTIONS, 'dynamodb:Scan']));

  // Without prune, no Scan.
  const noPrune = synthStack({}, { reconcileSecretKeySecretName: 'clerk/secret-key', reconcilePrune: 'false', reconcileRequestsPerSecond: '20' }).template;
  const withoutPrune = reconciler(noPrune).resource;
  expect(withoutPrune.Properties!.Environment).toMatchObject({ Variables: { PRUNE: 'false', REQUESTS_PER_SECOND: '20' } });
  expect(permissionsOfRole(noPrune, roleOf(withoutPrune)).some((line) => line.startsWith('dynamodb:Scan'))).toBe(false);
});

it('keeps the checkpoint and lease in a small on-demand state table with point-in-time recovery', () => {
  expect(on.findResources('AWS::DynamoDB::GlobalTable')[stateTable(on)]!.Properties).toMatchObject({
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  });
  expect((on.findResources('AWS::DynamoDB::GlobalTable')[stateTable(on)]!.Properties.Replicas as unknown[])[0]).toMatchObject({
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  });
});

it('alarms on drift (a completed sweep changed at least the threshold) and on a failed or stuck sweep, and shows a dashboard row', () => {
  on.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'Test-reconcile-drift',
    Namespace: 'ClerkWebhookSync/Test',
    MetricName: 'SweepDrift',
    Dimensions: [{ Name: 'service', Value: SERVICE }],
    Statistic: 'Maximum',
    Period: 3600,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [Match.anyValue()],
  });
  const failed = onlyResource(on, 'AWS::CloudWatch::Alarm', { AlarmName: 'Test-reconcile-sweep-failed' }).resource;
  const metricNames = JSON.stringify(failed.Properties!.Metrics);
  for (const name of ['ExecutionsFailed', 'ExecutionsTimedOut', 'EntitiesFailed']) expect(metricNames).toContain(name);
  expect(failed.Properties!.Threshold).toBe(1);
  const custom = synthStack({ reconcile: { secretKeySecretName: 'k', driftAlarmThreshold: 50, sweepTimeout: Duration.hours(2) } }).template;
  custom.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-reconcile-drift', Threshold: 50 });
  const body = JSON.stringify(onlyResource(on, 'AWS::CloudWatch::Dashboard').resource.Properties!.DashboardBody);
  expect(body).toContain('Reconciliation sweeps');
  expect(body).toContain('MonitoringReconcileDrift');
  expect(Object.keys(on.findOutputs('*')).some((id) => id.includes('ReconcileStateMachineArn'))).toBe(true);
});

it('refuses settings that cannot work, and context that configures reconciliation without turning it on', () => {
  expect(() => synthStack({ reconcile: { secretKeySecretName: 'k', schedule: 'every day' } })).toThrow(/EventBridge Scheduler expression/);
  expect(() => synthStack({ reconcile: { secretKeySecretName: 'k', requestsPerSecond: 0 } })).toThrow(/requestsPerSecond must be a positive number/);
  expect(() => synthStack({ reconcile: { secretKeySecretName: 'k', driftAlarmThreshold: 0 } })).toThrow(/driftAlarmThreshold must be a positive integer/);
  expect(() => synthStack({}, { reconcileSchedule: 'rate(1 hour)' })).toThrow(/only "reconcileSecretKeySecretName" turns on/);
  expect(() => synthStack({}, { reconcileSecretKeySecretName: 'k', reconcilePrune: 'no' })).toThrow(/must be true or false/);
});

describe('cdk-nag', () => {
  it.each([false, true])('passes the AWS Solutions checks (tracing %s), acknowledging only the "*" grants and tracing, each needed', (tracing) => {
    const app = testApp({ reconcileSecretKeySecretName: 'clerk/secret-key', tracing });
    const stack = new ClerkWebhookSyncStack(app, 'Nag', propsFromContext(app));
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);

    const acknowledged = acknowledgementsIn(stack.pipeline.reconciliation!).map(({ path, id }) => `${id} at ${path}`);
    expect(acknowledged.map((line) => line.replace(/<[A-Za-z0-9]+\.Arn>/, '<function>')).sort()).toEqual(
      [
        tracing ? 'AwsSolutions-IAM5[Resource::*] at Nag/Default/Reconciliation/Reconciler/Role' : 'AwsSolutions-SF2 at Nag/Default/Reconciliation/StateMachine',
        'AwsSolutions-IAM5[Resource::*] at Nag/Default/Reconciliation/StateMachine/Role',
        'AwsSolutions-IAM5[Resource::<function>:*] at Nag/Default/Reconciliation/StateMachine/Role',
      ].sort(),
    );
    const findings = findingsIgnoringAcknowledgements(stack.pipeline.reconciliation!).map((line) => line.replace(/<[A-Za-z0-9]+\.Arn>/, '<function>'));
    expect(findings.sort()).toEqual(
      [
        tracing
          ? 'AwsSolutions-IAM5[Resource::*] at Nag/Default/Reconciliation/Reconciler/Role/DefaultPolicy/Resource'
          : 'AwsSolutions-SF2 at Nag/Default/Reconciliation/StateMachine/Resource',
        'AwsSolutions-IAM5[Resource::*] at Nag/Default/Reconciliation/StateMachine/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::<function>:*] at Nag/Default/Reconciliation/StateMachine/Role/DefaultPolicy/Resource',
      ].sort(),
    );
  });
});
