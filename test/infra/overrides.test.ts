import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroupClass, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventProcessor } from '../../lib/constructs/event-processor';
import { EventQueue } from '../../lib/constructs/event-queue';
import { esbuildTarget, NODE_RUNTIME } from '../../lib/constructs/node-function';
import { WebhookVerifier } from '../../lib/constructs/webhook-verifier';
import { permissionsOfRole } from './iam-permissions';
import { onlyResource, ref, synthStack, testApp } from './synth-stack';

const SECRET_NAME = 'clerk/webhook-signing-secret';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clerk/webhook-signing-secret-AbC123';

function verifierOf(template: Template) {
  return onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'clerk-webhook-verifier' } },
  }).resource;
}
function verifierEnv(template: Template): Record<string, unknown> {
  return (verifierOf(template).Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
}
function verifierSecretPermissions(template: Template): string[] {
  const roleId = (verifierOf(template).Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return permissionsOfRole(template, roleId).filter((line) => line.startsWith('secretsmanager:'));
}
/** `arn:${Partition}:secretsmanager:${Region}:${AccountId}:secret:<name>` as CloudFormation renders it. */
const partialSecretArn = (suffix = '') => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      ref('AWS::Partition'),
      ':secretsmanager:',
      ref('AWS::Region'),
      ':',
      ref('AWS::AccountId'),
      `:secret:${SECRET_NAME}${suffix}`,
    ],
  ],
});

describe('props override the defaults', () => {
  let template: Template;
  beforeAll(() => {
    template = synthStack({
      maxReceiveCount: 3,
      batchSize: 5,
      maxBatchingWindow: Duration.seconds(5),
      maxConcurrency: 2,
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      tableRemovalPolicy: RemovalPolicy.DESTROY,
      gsi1Projection: 'all',
      logRetention: RetentionDays.ONE_WEEK,
      accessLogClass: LogGroupClass.STANDARD,
      logLevel: 'DEBUG',
      systemLogLevel: 'INFO',
      tracing: true,
      alarmEmail: 'ops@example.com',
      oldestMessageAgeAlarmThreshold: Duration.minutes(5),
      signatureRejectionAlarmThreshold: 50,
    }).template;
  });

  it('maxReceiveCount sets the redrive policy', () => {
    const queue = onlyResource(template, 'AWS::SQS::Queue', { VisibilityTimeout: 180 }).resource;
    expect(queue.Properties!.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
  });

  it('batch size, batching window and concurrency reach the event source mapping', () => {
    expect(onlyResource(template, 'AWS::Lambda::EventSourceMapping').resource.Properties).toMatchObject({
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('throttling reaches the stage', () => {
    expect(onlyResource(template, 'AWS::ApiGatewayV2::Stage').resource.Properties!.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
  });

  it("gsi1Projection 'all' keeps the index a deployment made before the lean projection has", () => {
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect((resource.Properties!.GlobalSecondaryIndexes as { Projection: unknown }[])[0]!.Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it('a DESTROY table is deleted with the stack and not deletion-protected', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: { Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] },
    });
  });

  it('log retention, log levels and tracing apply to every function and log group; the access log can be Standard', () => {
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.Properties.RetentionInDays).toBe(7);
      expect(logGroup.Properties.LogGroupClass === undefined || logGroup.Properties.LogGroupClass === 'STANDARD').toBe(true);
    }
    expect(Object.values(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupClass: 'STANDARD' } }))).toHaveLength(1);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'INFO' });
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('alarmEmail subscribes that address to the alarm topic', () => {
    expectAlarmEmailSubscription(template, 'ops@example.com');
  });

  it('the alarm thresholds reach the queue-age and signature-rejection alarms', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 300,
      AlarmDescription: Match.stringLikeRegexp('for 5 minutes or more'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WebhooksRejected',
      Threshold: 50,
      AlarmDescription: Match.stringLikeRegexp('^50 or more webhooks'),
    });
  });
});

function expectAlarmEmailSubscription(template: Template, email: string): void {
  const topicId = onlyResource(template, 'AWS::SNS::Topic').id;
  expect(onlyResource(template, 'AWS::SNS::Subscription').resource.Properties).toEqual({
    Protocol: 'email',
    Endpoint: email,
    TopicArn: ref(topicId),
  });
}

describe('table protection', () => {
  it('a retained table can have deletion protection turned off explicitly', () => {
    const { template } = synthStack({ tableDeletionProtection: false });
    const table = onlyResource(template, 'AWS::DynamoDB::GlobalTable').resource as { DeletionPolicy?: string };
    expect(table.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [
        Match.objectLike({
          DeletionProtectionEnabled: false,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });
});

describe('existing signing secret', () => {
  function expectExistingSecretByName(template: Template): void {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(verifierEnv(template).SIGNING_SECRET_ARN).toEqual(partialSecretArn());
    // The random 6-character suffix of the real ARN is matched by exactly six `?`.
    expect(verifierSecretPermissions(template)).toEqual([
      `secretsmanager:GetSecretValue on ${JSON.stringify(partialSecretArn('-??????'))}`,
    ]);
    template.hasOutput('SigningSecretArn', { Value: partialSecretArn() });
    template.hasOutput('SigningSecretName', { Value: SECRET_NAME });
  }

  it('by name, as a prop, which wins over the context value', () => {
    expectExistingSecretByName(
      synthStack({ existingSigningSecretName: SECRET_NAME }, { signingSecretName: 'other-name' }).template,
    );
  });

  it('by name, from the signingSecretName context value (and alarmEmail from context too)', () => {
    const { template } = synthStack({}, { signingSecretName: SECRET_NAME, alarmEmail: 'oncall@example.com' });
    expectExistingSecretByName(template);
    expectAlarmEmailSubscription(template, 'oncall@example.com');
  });

  it('by complete ARN, as a prop and from the signingSecretArn context value', () => {
    for (const { template } of [
      synthStack({ existingSigningSecretArn: SECRET_ARN }),
      synthStack({}, { signingSecretArn: SECRET_ARN }),
    ]) {
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(verifierEnv(template).SIGNING_SECRET_ARN).toBe(SECRET_ARN);
      expect(verifierSecretPermissions(template)).toEqual([`secretsmanager:GetSecretValue on "${SECRET_ARN}"`]);
    }
  });

  it('refuses a name and an ARN together, and a context value that is not a string', () => {
    expect(() => synthStack({ existingSigningSecretName: SECRET_NAME, existingSigningSecretArn: SECRET_ARN })).toThrow(
      /either existingSigningSecretName or existingSigningSecretArn/,
    );
    expect(() => synthStack({}, { signingSecretName: 42 })).toThrow(/"signingSecretName" must be a non-empty string/);
  });
});

describe('tracing from context', () => {
  const tracingModes = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.TracingConfig?.Mode ?? 'off');

  it('-c tracing=true (a string from the CLI, or true in cdk.json) turns on active tracing for every function', () => {
    expect(tracingModes(synthStack({}, { tracing: 'true' }).template)).toEqual(['Active', 'Active']);
    expect(tracingModes(synthStack({}, { tracing: true }).template)).toEqual(['Active', 'Active']);
    expect(tracingModes(synthStack({}, { tracing: 'false' }).template)).toEqual(['off', 'off']);
    // An explicit prop wins over the context value.
    expect(tracingModes(synthStack({ tracing: false }, { tracing: 'true' }).template)).toEqual(['off', 'off']);
  });

  it('refuses anything but true or false', () => {
    expect(() => synthStack({}, { tracing: 'yes' })).toThrow(/"tracing" must be true or false, got "yes"/);
  });
});

describe('invalid settings fail at synth, not at deploy', () => {
  it('maxConcurrency below 2 and maxReceiveCount below 1', () => {
    expect(() => synthStack({ maxConcurrency: 1 })).toThrow(/maxConcurrency must be an integer from 2 to 1000/);
    expect(() => synthStack({ maxReceiveCount: 0 })).toThrow(/maxReceiveCount must be an integer from 1 to 1000/);
  });

  it('an alarm e-mail that is not one address, and alarm thresholds that could never work', () => {
    expect(() => synthStack({ alarmEmail: 'ops@example.com, dev@example.com' })).toThrow(
      /alarmEmail must be one e-mail address/,
    );
    expect(() => synthStack({}, { alarmEmail: '' })).toThrow(/"alarmEmail" must be a non-empty string/);
    expect(() => synthStack({ signatureRejectionAlarmThreshold: 0 })).toThrow(
      /signatureRejectionThreshold must be a positive integer/,
    );
    expect(() => synthStack({ oldestMessageAgeAlarmThreshold: Duration.seconds(30) })).toThrow(
      /oldestMessageAgeThreshold must be at least 1 minute/,
    );
  });

  it('a processor timeout the queue visibility does not cover 6 times', () => {
    const stack = new Stack(testApp(), 'Probe');
    const events = new EventQueue(stack, 'Events', { consumerTimeout: Duration.seconds(30) });
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    expect(() => new EventProcessor(stack, 'Processor', { events, table, timeout: Duration.seconds(31) })).toThrow(
      /visibility timeout \(180 s\) must be at least 6x the processor timeout \(186 s\)/,
    );
  });

  it("a setting the function would refuse at cold start, by the function's own rule", () => {
    const stack = new Stack(testApp(), 'Probe');
    const events = new EventQueue(stack, 'Events');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    expect(() => new EventProcessor(stack, 'Processor', { events, table, tombstoneTtlDays: 0.5 })).toThrow(
      'tombstoneTtlDays must be a positive integer, got "0.5"',
    );
    expect(() => new WebhookVerifier(stack, 'Verifier', { queue: events.queue, maxBodyBytes: 0 })).toThrow(
      'maxBodyBytes must be a positive integer, got "0"',
    );
  });
});

describe('node function defaults', () => {
  it('esbuild targets the Lambda runtime', () => {
    expect(NODE_RUNTIME.name).toBe('nodejs24.x');
    expect(esbuildTarget(NODE_RUNTIME)).toBe('node24');
  });
});
