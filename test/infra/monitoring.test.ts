import { Match, type Template } from 'aws-cdk-lib/assertions';
import { SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { type CfnResource, getAtt, onlyResource, ref, synthStack } from './synth-stack';

// One synth for the whole file: the stack with every default (no alarm e-mail).
// The e-mail subscription from a prop and from context is covered in overrides.test.ts.
let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

const topic = () => onlyResource(template, 'AWS::SNS::Topic');
const topicKey = () => onlyResource(template, 'AWS::KMS::Key');
const queueId = (redrive: boolean) =>
  onlyResource(template, 'AWS::SQS::Queue', {
    RedrivePolicy: redrive ? Match.objectLike({ maxReceiveCount: Match.anyValue() }) : Match.absent(),
  }).id;
const functionId = (serviceName: string) =>
  onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) },
  }).id;
const alarmNamed = (name: string): Record<string, unknown> =>
  onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: `Test-${name}` }).resource.Properties!;

/** What every alarm shares: notify the topic on ALARM and on OK, >= threshold, missing data is fine. */
const notifying = () => ({
  AlarmActions: [ref(topic().id)],
  OKActions: [ref(topic().id)],
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
});
const onePeriod = { Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1 };

describe('alarm topic', () => {
  it('is encrypted with its own rotating KMS key that CloudWatch may use (alarms cannot publish under aws/sns)', () => {
    expect(topic().resource.Properties!.KmsMasterKeyId).toEqual(getAtt(topicKey().id));
    const key = topicKey().resource.Properties!;
    expect(key.EnableKeyRotation).toBe(true);
    expect((key.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('denies publishing without TLS and lets only CloudWatch alarms of this account and region publish', () => {
    const policy = onlyResource(template, 'AWS::SNS::TopicPolicy').resource.Properties!;
    expect(policy.Topics).toEqual([ref(topic().id)]);
    const statements = (policy.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(topic().id),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: ref(topic().id),
        Condition: {
          StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', ref('AWS::Partition'), ':cloudwatch:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':alarm:*'],
              ],
            },
          },
        },
      }),
    );
  });

  it('has no subscription unless alarmEmail is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('alarms', () => {
  it('are exactly these ten, each notifying the topic and describing what it means and what to check first', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as CfnResource[];
    expect(alarms.map((alarm) => alarm.Properties!.AlarmName).sort()).toEqual(
      [
        'Test-dead-letter-queue-not-empty',
        'Test-queue-oldest-message-too-old',
        'Test-processor-errors',
        'Test-processor-records-failing',
        'Test-webhook-5xx',
        'Test-webhook-4xx',
        'Test-webhook-signature-rejections',
        'Test-verifier-throttles',
        'Test-processor-throttles',
        'Test-table-throttles',
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject(notifying());
      expect(alarm.Properties!.AlarmDescription).toMatch(/First: /);
      // CloudWatch refuses longer descriptions at deploy time.
      expect((alarm.Properties!.AlarmDescription as string).length).toBeLessThanOrEqual(1024);
    }
  });

  it('DLQ: at least one visible message', () => {
    expect(alarmNamed('dead-letter-queue-not-empty')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId(false), 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 1,
      ...onePeriod,
    });
  });

  it('main queue: oldest message 15 minutes old', () => {
    expect(alarmNamed('queue-oldest-message-too-old')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId(true), 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 900,
      ...onePeriod,
    });
  });

  it('processor: any failed invocation, and records failing in three consecutive 5-minute periods', () => {
    expect(alarmNamed('processor-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(functionId(SERVICE_NAMES.processor)) }],
      Statistic: 'Sum',
      Threshold: 1,
      ...onePeriod,
    });
    expect(alarmNamed('processor-records-failing')).toMatchObject({
      Namespace: 'ClerkWebhookSync/Test',
      MetricName: 'EventsFailed',
      Dimensions: [{ Name: 'service', Value: 'clerk-webhook-processor' }],
      Statistic: 'Sum',
      Threshold: 1,
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it("webhook 5xx: the HTTP API's own 5xx count (also covers verifier crashes and throttles)", () => {
    expect(alarmNamed('webhook-5xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: ref(onlyResource(template, 'AWS::ApiGatewayV2::Api').id) }],
      Statistic: 'Sum',
      Threshold: 1,
      ...onePeriod,
    });
  });

  it("webhook 4xx: the HTTP API's own 4xx count (429 included), 300 in each of three 5-minute periods", () => {
    expect(alarmNamed('webhook-4xx')).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '4xx',
      Dimensions: [{ Name: 'ApiId', Value: ref(onlyResource(template, 'AWS::ApiGatewayV2::Api').id) }],
      Statistic: 'Sum',
      Threshold: 300,
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('signature rejections: 20 in 5 minutes, from the verifier metric with reason=signature', () => {
    const alarm = alarmNamed('webhook-signature-rejections');
    expect(alarm).toMatchObject({
      Namespace: 'ClerkWebhookSync/Test',
      MetricName: 'WebhooksRejected',
      Statistic: 'Sum',
      Threshold: 20,
      ...onePeriod,
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: 'clerk-webhook-verifier' },
        { Name: 'reason', Value: 'signature' },
      ]),
    );
    expect(alarm.Dimensions).toHaveLength(2);
  });

  it('throttles of either function', () => {
    for (const [name, service] of [
      ['verifier-throttles', SERVICE_NAMES.verifier],
      ['processor-throttles', SERVICE_NAMES.processor],
    ] as const) {
      expect(alarmNamed(name)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: ref(functionId(service)) }],
        Statistic: 'Sum',
        Threshold: 1,
        ...onePeriod,
      });
    }
  });

  it("table throttles: the processor's five operations summed, each missing datapoint counted as 0", () => {
    const alarm = alarmNamed('table-throttles');
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    const queries = alarm.Metrics as {
      Id: string;
      Expression?: string;
      ReturnData: boolean;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Period: number; Stat: string };
    }[];
    const [expression, ...metrics] = queries;
    expect(expression).toMatchObject({
      ReturnData: true,
      Expression: 'FILL(getitem, 0) + FILL(putitem, 0) + FILL(updateitem, 0) + FILL(deleteitem, 0) + FILL(batchwriteitem, 0) + FILL(query, 0)',
    });
    const table = onlyResource(template, 'AWS::DynamoDB::GlobalTable').id;
    expect(metrics.map((metric) => metric.Id)).toEqual(['getitem', 'putitem', 'updateitem', 'deleteitem', 'batchwriteitem', 'query']);
    for (const metric of metrics) {
      expect(metric.ReturnData).toBe(false);
      expect(metric.MetricStat).toEqual({
        Metric: {
          Namespace: 'AWS/DynamoDB',
          MetricName: 'ThrottledRequests',
          Dimensions: [
            { Name: 'Operation', Value: expect.stringMatching(/^(GetItem|PutItem|UpdateItem|DeleteItem|BatchWriteItem|Query)$/) },
            { Name: 'TableName', Value: ref(table) },
          ],
        },
        Period: 300,
        Stat: 'Sum',
      });
    }
  });
});

describe('dashboard', () => {
  let body: string;
  beforeAll(() => {
    body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').resource.Properties!.DashboardBody);
  });

  it('is named after the stack and shows the DLQ, the main queue and every alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Test' });
    expect(body).toContain(JSON.stringify(getAtt(queueId(false), 'QueueName')));
    expect(body).toContain(JSON.stringify(getAtt(queueId(true), 'QueueName')));
    for (const id of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(body).toContain(JSON.stringify(getAtt(id)));
    }
  });

  it('shows processing lag as p50, p99 and maximum, and rejections by every reason', () => {
    const lagLine = (stat: string) =>
      `[\\"ClerkWebhookSync/Test\\",\\"ProcessingLag\\",\\"service\\",\\"clerk-webhook-processor\\",{\\"label\\":\\"${stat === 'Maximum' ? 'max' : stat}\\",\\"stat\\":\\"${stat}\\"}]`;
    for (const stat of ['p50', 'p99', 'Maximum']) expect(body).toContain(lagLine(stat));
    for (const reason of ['source', 'signature', 'timestamp', 'headers', 'body', 'size', 'method']) {
      expect(body).toContain(`\\"WebhooksRejected\\",\\"reason\\",\\"${reason}\\",\\"service\\",\\"clerk-webhook-verifier\\"`);
    }
  });

  it("shows events of other Clerk instances and of types the table does not store next to the verified ones", () => {
    expect(body).toContain('\\"WebhooksForeignInstance\\",\\"service\\",\\"clerk-webhook-verifier\\"');
    expect(body).toContain('\\"WebhooksNotModelled\\",\\"service\\",\\"clerk-webhook-verifier\\"');
  });

  it("derives the verified requests from the verifier's invocations, less its errors and every request it counted as not queued", () => {
    expect(body).toContain('invocations - FILL(errors, 0) - FILL(foreign, 0) - FILL(notModelled, 0) - FILL(rejected, 0) - FILL(failed, 0)');
    expect(body).toContain('\\"label\\":\\"Verified and queued\\"');
    expect(body).toContain('\\"AWS/Lambda\\",\\"Invocations\\"');
    expect(body).not.toContain('WebhooksVerified');
    expect(body).not.toContain('WebhooksReceived');
  });

  it('breaks applied, duplicate and stale counts down by event type with a SEARCH over the eventType dimension', () => {
    for (const metric of ['EventsApplied', 'EventsDuplicate', 'EventsStale']) {
      expect(body).toContain(
        `SEARCH('{\\\\\\"ClerkWebhookSync/Test\\\\\\",eventType,service} MetricName=\\\\\\"${metric}\\\\\\" service=\\\\\\"clerk-webhook-processor\\\\\\"', 'Sum', 300)`,
      );
    }
  });
});

describe('outputs', () => {
  it('name the alarm topic and the dashboard', () => {
    template.hasOutput('AlarmTopicArn', { Value: ref(topic().id) });
    const dashboard = onlyResource(template, 'AWS::CloudWatch::Dashboard').id;
    template.hasOutput('DashboardName', { Value: ref(dashboard) });
    template.hasOutput('DashboardUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://console.aws.amazon.com/cloudwatch/home?region=',
            ref('AWS::Region'),
            '#dashboards/dashboard/',
            ref(dashboard),
          ],
        ],
      },
    });
  });
});

describe('metrics contract', () => {
  it("the functions' service names are the ones the alarms and the dashboard look metrics up by", () => {
    // The notifier, the change events publisher and the reconciler only exist when turned on;
    // mail.test.ts, change-events.test.ts and reconcile.test.ts check their names.
    const optional: string[] = [SERVICE_NAMES.notifier, SERVICE_NAMES.changeEvents, SERVICE_NAMES.reconciler];
    for (const service of Object.values(SERVICE_NAMES).filter((name) => !optional.includes(name))) {
      const fn = onlyResource(template, 'AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: service }) },
      }).resource;
      expect((fn.Properties!.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
        'ClerkWebhookSync/Test',
      );
    }
  });
});
