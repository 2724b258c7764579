import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Code, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { permissions, permissionsOfRole, wildcardFindings } from './iam-permissions';
import { ClerkWebhookSyncStack } from '../../lib/clerk-webhook-sync-stack';
import { propsFromContext } from '../../lib/context-props';
import { type CfnResource, getAtt, onlyResource, ref, synthStack, testApp } from './synth-stack';

// Synths for the whole file: off (the default), on with its defaults, on from context, and on with mails.
let off: Template;
let on: Template;
beforeAll(() => {
  off = synthStack().template;
  on = synthStack({ changeEvents: {} }).template;
});

const SERVICE = 'clerk-webhook-change-events';
const publisher = (template: Template) =>
  onlyResource(template, 'AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: SERVICE }) } });
const publisherRole = (template: Template) =>
  (publisher(template).resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const syncTable = (template: Template) =>
  onlyResource(template, 'AWS::DynamoDB::GlobalTable', { KeySchema: Match.arrayWith([Match.objectLike({ KeyType: 'RANGE' })]) });
const bus = (template: Template) => onlyResource(template, 'AWS::Events::EventBus');
const failureQueue = (template: Template) =>
  onlyResource(template, 'AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600, MaximumMessageSize: Match.absent() });
const publisherMapping = (template: Template) =>
  onlyResource(template, 'AWS::Lambda::EventSourceMapping', { FunctionName: ref(publisher(template).id) });
const resources = (template: Template) => template.toJSON().Resources as Record<string, CfnResource>;
const typeCounts = (template: Template, ids: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[resources(template)[id]!.Type] = (counts[resources(template)[id]!.Type] ?? 0) + 1;
  return counts;
};

describe('change events off (the default)', () => {
  it('leave nothing: no bus, publisher, stream, failure queue, alarm or output of the feature', () => {
    expect(syncTable(off).resource.Properties!.StreamSpecification).toBeUndefined();
    const json = JSON.stringify(off.toJSON());
    for (const trace of ['AWS::Events::', SERVICE, 'events:PutEvents', 'ChangeEvents', 'IteratorAge']) expect(json).not.toContain(trace);
    expect(Object.keys(off.findOutputs('*'))).not.toEqual(expect.arrayContaining(['EventBusName']));
  });

  it('turning them on only adds the feature, a stream on the table and the processor\'s read of parents first; every other resource stays as it was', () => {
    const before = resources(off);
    const after = resources(on);
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    expect(changed.map((id) => before[id]!.Type).sort()).toEqual(['AWS::CloudWatch::Dashboard', 'AWS::DynamoDB::GlobalTable', 'AWS::Lambda::Function']);
    const tableId = syncTable(off).id;
    expect({ ...after[tableId]!.Properties, StreamSpecification: undefined }).toEqual({ ...before[tableId]!.Properties, StreamSpecification: undefined });
    // The feed must never show a child of a deleted parent come and go (docs/change-events.md).
    const processorId = changed.find((id) => before[id]!.Type === 'AWS::Lambda::Function')!;
    const variables = (resource: CfnResource) => (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables(before[processorId]!)).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'clerk-webhook-processor', READ_PARENTS_FIRST: 'false' });
    expect(variables(after[processorId]!)).toEqual({ ...variables(before[processorId]!), READ_PARENTS_FIRST: 'true' });
    expect(typeCounts(on, Object.keys(after).filter((id) => !(id in before)))).toEqual({
      'AWS::Events::EventBus': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::CloudWatch::Alarm': 4,
    });
  });

  it('-c changeEvents=true gives the same template as the prop; false (or cdk.json booleans) as expected; anything else fails synth', () => {
    expect(synthStack({}, { changeEvents: 'true' }).template.toJSON()).toEqual(on.toJSON());
    const fromContext = (value: unknown) => propsFromContext(testApp({ changeEvents: value })).changeEvents;
    expect([fromContext(true), fromContext('false'), fromContext(false), fromContext(undefined)]).toEqual([{}, undefined, undefined, undefined]);
    expect(() => synthStack({}, { changeEvents: 'yes' })).toThrow('context value "changeEvents" must be true or false, got "yes"');
  });
});

describe('the bus, the stream and the publisher', () => {
  it('a bus of its own, named in the outputs and in the function; quiet JSON logs, untraced by default', () => {
    expect(bus(on).resource.Properties).toMatchObject({ Name: expect.stringMatching(/^TestChangeEventsBus/) });
    on.hasOutput('EventBusName', { Value: ref(bus(on).id) });
    on.hasOutput('EventBusArn', { Value: getAtt(bus(on).id) });
    on.hasOutput('ChangeEventFailureQueueUrl', { Value: ref(failureQueue(on).id) });
    expect(publisher(on).resource.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' },
      Environment: { Variables: expect.objectContaining({ EVENT_BUS_NAME: ref(bus(on).id), POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Test' }) },
    });
    expect(publisher(on).resource.Properties!.TracingConfig).toBeUndefined();
  });

  it('reads the stream from the oldest record, in order, with partial batch responses and bisection, retrying until 6 hours old, then the failure queue', () => {
    expect(syncTable(on).resource.Properties!.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(publisherMapping(on).resource.Properties).toEqual({
      EventSourceArn: getAtt(syncTable(on).id, 'StreamArn'),
      FunctionName: ref(publisher(on).id),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      // No MaximumRetryAttempts: -1, retried until MaximumRecordAgeInSeconds, so a failing record holds back those after it.
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(failureQueue(on).id) } },
    });
  });

  it('the failure queue: SQS-managed SSE, TLS only, keeps messages 14 days', () => {
    const { id, resource } = failureQueue(on);
    expect(resource.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    on.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(id)],
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  it('its role: own logs, the stream, the failure queue, and PutEvents on this bus alone (X-Ray only with tracing on)', () => {
    const logGroup = (publisher(on).resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(permissionsOfRole(on, publisherRole(on))).toEqual(
      [
        ...permissions(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroup)]),
        ...permissions(
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          [getAtt(syncTable(on).id, 'StreamArn')],
        ),
        ...permissions(['sqs:SendMessage'], [getAtt(failureQueue(on).id)]),
        ...permissions(['events:PutEvents'], [getAtt(bus(on).id)]),
      ].sort(),
    );
  });

  it('no role has a wildcard besides X-Ray, and only the publisher may put events', () => {
    const xray = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    expect(wildcardFindings(on, (resource, actions) => resource === '"*"' && actions.every((action) => xray.includes(action)))).toEqual([]);
    for (const role of Object.keys(on.findResources('AWS::IAM::Role')).filter((id) => id !== publisherRole(on))) {
      for (const line of permissionsOfRole(on, role)) expect(line).not.toMatch(/^events:|StreamArn/);
    }
  });

  it('with your bus: no bus created, PutEvents on yours alone, its name in the function, no output of it', () => {
    // An ARN is all the stack needs of a bus made elsewhere.
    const elsewhere = new Stack();
    const { template: mine } = synthStack({
      changeEvents: { eventBus: EventBus.fromEventBusArn(elsewhere, 'AppBus', 'arn:aws:events:eu-west-1:123456789012:event-bus/app-events') },
    });
    expect(mine.findResources('AWS::Events::EventBus')).toEqual({});
    expect(permissionsOfRole(mine, publisherRole(mine)).filter((line) => line.startsWith('events:'))).toEqual([
      'events:PutEvents on "arn:aws:events:eu-west-1:123456789012:event-bus/app-events"',
    ]);
    expect((publisher(mine).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.EVENT_BUS_NAME).toBe('app-events');
    // Known where it was made: no output of it here.
    expect(Object.keys(mine.findOutputs('*'))).not.toEqual(expect.arrayContaining(['EventBusArn']));
    expect(Object.keys(mine.findOutputs('*'))).toEqual(expect.arrayContaining(['ChangeEventFailureQueueUrl']));
  });

  it('with archiveRetention, an archive of our events only, kept that long; none by default', () => {
    expect(on.findResources('AWS::Events::Archive')).toEqual({});
    const { template } = synthStack({ changeEvents: { archiveRetention: Duration.days(90) } });
    expect(onlyResource(template, 'AWS::Events::Archive').resource.Properties).toMatchObject({
      SourceArn: getAtt(bus(template).id),
      RetentionDays: 90,
      EventPattern: { source: ['clerk-webhook-sync'] },
    });
  });

  it('with mails on too: one stream, read by both the notifier and the publisher', () => {
    const { template } = synthStack({ changeEvents: {}, mail: { fromAddress: 'welcome@acme.example' } });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'),
    );
    expect(mappings.map((mapping) => mapping.Properties.EventSourceArn)).toEqual([getAtt(syncTable(template).id, 'StreamArn'), getAtt(syncTable(template).id, 'StreamArn')]);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(18);
  });
});

describe('alarms', () => {
  const alarmNamed = (name: string) => onlyResource(on, 'AWS::CloudWatch::Alarm', { AlarmName: `Test-${name}` }).resource.Properties!;
  const topic = () => ref(onlyResource(on, 'AWS::SNS::Topic').id);
  const fn = () => [{ Name: 'FunctionName', Value: ref(publisher(on).id) }];

  it('four alarms on the alarm topic, each saying what to check first', () => {
    for (const name of ['change-event-failures-not-empty', 'change-events-errors', 'change-events-lagging', 'change-event-records-failing']) {
      const alarm = alarmNamed(name);
      expect(alarm).toMatchObject({ AlarmActions: [topic()], OKActions: [topic()], ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', Period: 300 });
      expect(alarm.AlarmDescription).toMatch(/First: /);
      expect((alarm.AlarmDescription as string).length).toBeLessThanOrEqual(1024);
    }
    expect(Object.keys(on.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(14);
  });

  it('the failure queue not empty: events were not published, and where their records are', () => {
    expect(alarmNamed('change-event-failures-not-empty')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(failureQueue(on).id, 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 1,
    });
    expect(alarmNamed('change-event-failures-not-empty').AlarmDescription).toMatch(/NOT put on the bus/);
  });

  it('publisher errors, stream lag (IteratorAge 30 minutes) and ChangeEventRecordsFailed in three periods', () => {
    expect(alarmNamed('change-events-errors')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: fn(), Threshold: 1 });
    expect(alarmNamed('change-events-lagging')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: fn(), Statistic: 'Maximum', Threshold: 1_800_000 });
    expect(alarmNamed('change-event-records-failing')).toMatchObject({
      Namespace: 'ClerkWebhookSync/Test',
      MetricName: 'ChangeEventRecordsFailed',
      Dimensions: [{ Name: 'service', Value: SERVICE }],
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('a dashboard row: published and failed, lag, the failure queue and errors', () => {
    const body = JSON.stringify(onlyResource(on, 'AWS::CloudWatch::Dashboard').resource.Properties!.DashboardBody);
    for (const text of ['Change events: published, records failed', 'ChangeEventsPublished', 'Change events stream: lag and failures']) expect(body).toContain(text);
  });
});

describe('settings', () => {
  it('reach the event source and the lag alarm', () => {
    const { template } = synthStack({
      changeEvents: { batchSize: 500, maxBatchingWindow: Duration.seconds(2), retryAttempts: 20, maxRecordAge: Duration.hours(2), iteratorAgeAlarmThreshold: Duration.minutes(10), memorySize: 512 },
    });
    expect(publisherMapping(template).resource.Properties).toMatchObject({ BatchSize: 500, MaximumBatchingWindowInSeconds: 2, MaximumRetryAttempts: 20, MaximumRecordAgeInSeconds: 7200 });
    expect(publisher(template).resource.Properties).toMatchObject({ MemorySize: 512 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-change-events-lagging', Threshold: 600_000 });
  });

  it('settings the event source or EventBridge could not honour fail synth', () => {
    const with_ = (changeEvents: object) => () => synthStack({ changeEvents });
    expect(with_({ batchSize: 0 })).toThrow(/batchSize must be an integer from 1 to 10000/);
    expect(with_({ retryAttempts: -1 })).toThrow(/retryAttempts must be an integer from 0 to 10000/);
    expect(with_({ maxRecordAge: Duration.hours(24) })).toThrow(/maxRecordAge must be from 1 minute to under 24 hours/);
    expect(with_({ maxBatchingWindow: Duration.minutes(6) })).toThrow(/maxBatchingWindow must be at most 5 minutes/);
    expect(with_({ archiveRetention: Duration.hours(36) })).toThrow(/archiveRetention must be a whole number of days, at least 1/);
    expect(with_({ archiveRetention: Duration.days(0) })).toThrow(/archiveRetention must be a whole number of days, at least 1/);
    expect(with_({ iteratorAgeAlarmThreshold: Duration.seconds(30) })).toThrow(/iteratorAgeAlarmThreshold must be at least 1 minute/);
  });
});

describe('the README\'s consumer example', () => {
  it('synthesizes: a rule on user.deleted with a retried, dead-lettered target, and one on admin memberships by content filter', () => {
    const stack = new ClerkWebhookSyncStack(testApp(), 'Test', { changeEvents: { archiveRetention: Duration.days(30) } });
    const fn = (id: string) => new LambdaFn(stack, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {}') });
    const deleteUserPosts = fn('DeleteUserPosts');
    const welcomeAdmin = fn('WelcomeAdmin');
    const cleanUpDlq = new Queue(stack, 'CleanUpDlq');
    const bus = stack.pipeline.changeEvents!.eventBus;

    new Rule(stack, 'UserDeleted', {
      eventBus: bus,
      eventPattern: { source: ['clerk-webhook-sync'], detailType: ['user.deleted'] },
      targets: [new LambdaFunction(deleteUserPosts, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: cleanUpDlq })],
    });
    new Rule(stack, 'AdminJoined', {
      eventBus: bus,
      eventPattern: { source: ['clerk-webhook-sync'], detailType: ['membership.created'], detail: { item: { role: ['org:admin'] } } },
      targets: [new LambdaFunction(welcomeAdmin)],
    });

    const template = Template.fromStack(stack);
    const busId = onlyResource(template, 'AWS::Events::EventBus').id;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: ref(busId),
      EventPattern: { source: ['clerk-webhook-sync'], 'detail-type': ['user.deleted'] },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: ref(busId),
      EventPattern: { source: ['clerk-webhook-sync'], 'detail-type': ['membership.created'], detail: { item: { role: ['org:admin'] } } },
    });
  });
});
