import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type CfnResource, getAtt, onlyResource, ref, synthStack } from './synth-stack';

// One synth for the whole file: the stack with every default.
let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

function functionByService(serviceName: string): { id: string; resource: CfnResource } {
  return onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) },
  });
}
const verifier = () => functionByService('clerk-webhook-verifier');
const processor = () => functionByService('clerk-webhook-processor');
const mainQueue = () =>
  onlyResource(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: Match.anyValue() }) });
const deadLetterQueue = () => onlyResource(template, 'AWS::SQS::Queue', { RedrivePolicy: Match.absent() });
const signingSecret = () => onlyResource(template, 'AWS::SecretsManager::Secret');
const httpApi = () => onlyResource(template, 'AWS::ApiGatewayV2::Api');

describe('sync table (docs/table.md)', () => {
  it('has pk/sk string keys, the gsi1 index with all attributes, and the ttl attribute', () => {
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(resource.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          // The public attributes the index's access patterns return: no lastSeenAt, no bookkeeping.
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [
              'type', 'id', 'email', 'firstName', 'lastName', 'username', 'imageUrl', 'externalId', 'createdAt',
              'updatedAt', 'lastSignInAt', 'emailVerified', 'name', 'slug', 'createdBy', 'orgId', 'userId', 'role', 'permissions',
            ],
          },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(resource.Properties!.AttributeDefinitions).toEqual(
      expect.arrayContaining(['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
    expect(resource.Properties!.AttributeDefinitions).toHaveLength(4);
  });

  it('is on-demand, encrypted with the AWS-managed key, with PITR and deletion protection, and retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: ref('AWS::Region'),
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
            // A customer-managed key would appear here; the AWS-managed key needs none (and no KMS grants).
            SSESpecification: Match.absent(),
          }),
        ],
      },
    });
  });
});

describe('queues', () => {
  it('the main queue redrives to the DLQ after 5 receives and hides a message for 6x the processor timeout', () => {
    const queue = mainQueue().resource.Properties!;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt(deadLetterQueue().id), maxReceiveCount: 5 });
    const processorTimeout = processor().resource.Properties!.Timeout as number;
    expect(processorTimeout).toBe(30);
    expect(queue.VisibilityTimeout).toBe(180);
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * processorTimeout);
    expect(queue.MessageRetentionPeriod).toBe(4 * 24 * 3600);
  });

  it('both queues use SQS-managed SSE and take 1 MiB messages; the DLQ keeps messages 14 days', () => {
    for (const { resource } of [mainQueue(), deadLetterQueue()]) {
      expect(resource.Properties).toMatchObject({ SqsManagedSseEnabled: true, MaximumMessageSize: 1_048_576 });
      expect(resource.Properties!.KmsMasterKeyId).toBeUndefined();
    }
    expect(deadLetterQueue().resource.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('both queues have a policy denying every request without TLS', () => {
    for (const { id } of [mainQueue(), deadLetterQueue()]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(id)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sqs:*',
              Resource: getAtt(id),
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ]),
        },
      });
    }
  });
});

describe('processor event source', () => {
  it('feeds the processor from the main queue in batches with partial batch responses and bounded concurrency', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping').resource.Properties!;
    expect(mapping).toEqual({
      EventSourceArn: getAtt(mainQueue().id),
      FunctionName: ref(processor().id),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('HTTP API', () => {
  it('is an HTTP API without CORS whose execute-api endpoint stays on (it is the webhook URL)', () => {
    const api = httpApi().resource.Properties!;
    expect(api.ProtocolType).toBe('HTTP');
    expect(api.CorsConfiguration).toBeUndefined();
    expect(api.DisableExecuteApiEndpoint).not.toBe(true);
  });

  it('has exactly one route, POST /webhooks/clerk, to the verifier with payload format 2.0', () => {
    const route = onlyResource(template, 'AWS::ApiGatewayV2::Route').resource.Properties!;
    const integration = onlyResource(template, 'AWS::ApiGatewayV2::Integration');
    expect(route.RouteKey).toBe('POST /webhooks/clerk');
    expect(route.Target).toEqual({ 'Fn::Join': ['', ['integrations/', ref(integration.id)]] });
    expect(integration.resource.Properties).toMatchObject({
      ApiId: ref(httpApi().id),
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: getAtt(verifier().id),
      PayloadFormatVersion: '2.0',
    });
  });

  it('only API Gateway may invoke the verifier, and only through this API and route', () => {
    const permission = onlyResource(template, 'AWS::Lambda::Permission').resource.Properties!;
    expect(permission.Principal).toBe('apigateway.amazonaws.com');
    expect(permission.FunctionName).toEqual(getAtt(verifier().id));
    expect(JSON.stringify(permission.SourceArn)).toContain(JSON.stringify(ref(httpApi().id)));
    expect(JSON.stringify(permission.SourceArn)).toMatch(/\/webhooks\/clerk"/);
  });

  it('the $default stage auto-deploys, throttles at 50 rps / 100 burst and writes JSON access logs', () => {
    const stage = onlyResource(template, 'AWS::ApiGatewayV2::Stage').resource.Properties!;
    expect(stage).toMatchObject({
      ApiId: ref(httpApi().id),
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const accessLogs = stage.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    const [logGroupId] = accessLogs.DestinationArn['Fn::GetAtt'];
    expect(accessLogs.DestinationArn).toEqual(getAtt(logGroupId));
    expect(template.toJSON().Resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      // Half the ingestion price; Logs Insights still answers the README's queries.
      Properties: { RetentionInDays: 30, LogGroupClass: 'INFREQUENT_ACCESS' },
    });

    const format = JSON.parse(accessLogs.Format) as Record<string, string>;
    expect(format).toEqual({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      status: '$context.status',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
    });
  });
});

describe('functions', () => {
  const common = {
    Runtime: 'nodejs24.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    MemorySize: 256,
  };
  /** JSON records filtered by Lambda: warnings, errors and metrics only (FUNCTION_OBSERVABILITY_DEFAULTS). */
  const leanLogging = {
    LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' },
  };

  function logGroupRetentionOf(fn: CfnResource): unknown {
    const logGroupRef = (fn.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    return template.toJSON().Resources[logGroupRef].Properties.RetentionInDays;
  }

  it("the verifier: Node.js 24 on ARM64, 10 s, quiet JSON logs, untraced, queue URL, secret ARN, body limit and the partition's URL suffix in its environment", () => {
    const { resource } = verifier();
    expect(resource.Properties).toMatchObject({ ...common, ...leanLogging, Timeout: 10 });
    expect(resource.Properties!.TracingConfig).toBeUndefined();
    expect((resource.Properties!.Environment as { Variables: unknown }).Variables).toEqual({
      QUEUE_URL: ref(mainQueue().id),
      SIGNING_SECRET_ARN: ref(signingSecret().id),
      MAX_BODY_BYTES: '262144',
      PARTITION_URL_SUFFIX: { Ref: 'AWS::URLSuffix' },
      POWERTOOLS_SERVICE_NAME: 'clerk-webhook-verifier',
      POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Test',
    });
    expect(logGroupRetentionOf(resource)).toBe(30);
  });

  it('the processor: Node.js 24 on ARM64, 30 s, quiet JSON logs, untraced, table name, queue and DLQ URLs, tombstone TTL and no read of parents first (change events off) in its environment', () => {
    const { resource } = processor();
    const table = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(resource.Properties).toMatchObject({ ...common, ...leanLogging, Timeout: 30 });
    expect(resource.Properties!.TracingConfig).toBeUndefined();
    expect((resource.Properties!.Environment as { Variables: unknown }).Variables).toEqual({
      TABLE_NAME: ref(table.id),
      DEAD_LETTER_QUEUE_URL: ref(deadLetterQueue().id),
      QUEUE_URL: ref(mainQueue().id),
      TOMBSTONE_TTL_DAYS: '30',
      READ_PARENTS_FIRST: 'false',
      POWERTOOLS_SERVICE_NAME: 'clerk-webhook-processor',
      POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Test',
    });
    expect(logGroupRetentionOf(resource)).toBe(30);
  });

  it('every log group has a retention, and there are exactly three (two functions, API access logs)', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(3);
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });
});

describe('signing secret', () => {
  it('is created with a generated placeholder, so no value is in the template', () => {
    const { resource } = signingSecret();
    expect(resource.Properties!.SecretString).toBeUndefined();
    expect(resource.Properties!.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    // Descriptions mention the `whsec_...` format; an actual key would follow it with base64.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/whsec_[A-Za-z0-9+/=]{8,}/);
  });
});

describe('outputs', () => {
  it('WebhookUrl is the full URL of the route on the execute-api endpoint', () => {
    template.hasOutput('WebhookUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            ref(httpApi().id),
            '.execute-api.',
            ref('AWS::Region'),
            '.',
            ref('AWS::URLSuffix'),
            '/webhooks/clerk',
          ],
        ],
      },
    });
  });

  it('names the secret to fill in, the table and both queues', () => {
    template.hasOutput('SigningSecretArn', {
      Value: ref(signingSecret().id),
      Description: Match.stringLikeRegexp('put-secret-value'),
    });
    template.hasOutput('SigningSecretName', { Value: Match.anyValue() });
    template.hasOutput('TableName', { Value: ref(onlyResource(template, 'AWS::DynamoDB::GlobalTable').id) });
    template.hasOutput('QueueUrl', { Value: ref(mainQueue().id) });
    template.hasOutput('DeadLetterQueueUrl', { Value: ref(deadLetterQueue().id) });
  });
});
