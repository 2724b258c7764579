import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import dns from 'node:dns';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { captureOutput, type EmfDocument } from '../support/capture-emf';
import { newSigningSecret, signedRequest, userCreatedBody } from '../support/signed-request';
import { createQueues, createTable } from '../../local/create-resources';
import { toSqsRecord } from '../../local/sqs-event-source';
import { localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

/**
 * The Lambda entry points themselves (lambdas/{verifier,processor}/index.ts), configured by
 * environment as the stack configures them and pointed at the local engines through the SDK's
 * AWS_ENDPOINT_URL_* variables: what their logs and metrics look like in CloudWatch.
 */

type VerifierEntry = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type ProcessorEntry = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const SECRET = newSigningSecret();
const EMAIL = 'katherine.johnson@example.com';
const sqs = localSqs();
const savedEnv = { ...process.env };
let verifier: VerifierEntry;
let processor: ProcessorEntry;
let queueUrl: string;

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const dimensionsOf = (document: EmfDocument) => document._aws.CloudWatchMetrics[0]!.Dimensions;
const valuesOf = ({ _aws, ...values }: EmfDocument) => values;

/**
 * The emulator names its queues http://sqs.<region>.localhost:<port>/…, and the SDK sends each
 * request to its QueueUrl's host (a function configured by environment has no `endpoint` to
 * override that). Not every resolver maps *.localhost to the loopback address, so the test does.
 */
const realLookup = dns.lookup;
function resolveLocalhostSubdomains(): void {
  const lookup = (hostname: string, ...rest: unknown[]) =>
    (realLookup as (...args: unknown[]) => void)(hostname.endsWith('.localhost') ? '127.0.0.1' : hostname, ...rest);
  dns.lookup = lookup as typeof dns.lookup;
}

beforeAll(async () => {
  resolveLocalhostSubdomains();
  const tableName = uniqueName('observability');
  await createTable(localDynamoDb(), tableName);
  const queues = await createQueues(sqs, uniqueName('observability'));
  queueUrl = queues.queueUrl;
  Object.assign(process.env, {
    QUEUE_URL: queues.queueUrl,
    SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf',
    TABLE_NAME: tableName,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    // The emulator's own host name, as in its queue URLs: the SDK sends each call to its QueueUrl's host anyway.
    AWS_ENDPOINT_URL_SQS: `http://${new URL(queues.queueUrl).host}`,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.DYNAMODB_ENDPOINT,
  });
  delete process.env.POWERTOOLS_SERVICE_NAME;
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  jest.isolateModules(() => {
    // The function's own copy of the SDK: Secrets Manager is the one service without a local engine.
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    mockClient(SecretsManagerClient).resolves({ SecretString: SECRET });
    verifier = (require('../../lambdas/verifier/index') as { handler: VerifierEntry }).handler;
    processor = (require('../../lambdas/processor/index') as { handler: ProcessorEntry }).handler;
  });
});

afterAll(() => {
  dns.lookup = realLookup;
  process.env = { ...savedEnv };
});

describe('Lambda entry points: logs and metrics', () => {
  it('follow one event from the webhook to the table under its svix id, without personal data', async () => {
    const svixId = `msg_${uniqueName('obs').replace(/-/g, '')}`;
    const body = userCreatedBody('user_2observed', EMAIL);

    const verified = await captureOutput(() =>
      verifier(signedRequest({ secrets: [SECRET], body, svixId, at: Date.now() }), lambdaContext('verifier')),
    );
    expect(verified.result.statusCode).toBe(200);

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    const processingStarted = Date.now();
    const processed = await captureOutput(() =>
      processor(
        { Records: Messages.map((message) => toSqsRecord(message, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' })) },
        lambdaContext('processor'),
      ),
    );
    const processingFinished = Date.now();
    expect(processed.result).toEqual({ batchItemFailures: [] });

    expect(verified.logs).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'webhook accepted',
        service: 'clerk-webhook-verifier',
        correlation_id: svixId,
        svixId,
        eventType: 'user.created',
        outcome: 'accepted',
        function_request_id: 'req-verifier',
      }),
    );
    expect(processed.logs).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'event processed',
        service: 'clerk-webhook-processor',
        correlation_id: svixId,
        svixId,
        eventType: 'user.created',
        entityId: 'user_2observed',
        outcome: 'applied',
        function_request_id: 'req-processor',
      }),
    );
    for (const text of [verified.text, processed.text]) {
      for (const personal of [EMAIL, 'katherine', 'Lovelace', 'Ada', SECRET.slice('whsec_'.length)]) {
        expect(text).not.toContain(personal);
      }
    }

    expect(verified.emf.map(dimensionsOf)).toEqual([[['service']]]);
    expect(verified.emf.map(valuesOf)).toEqual([{ service: 'clerk-webhook-verifier', WebhooksReceived: 1, WebhooksVerified: 1 }]);
    expect(verified.emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('ClerkWebhookSync');

    expect(processed.emf.map(dimensionsOf)).toEqual([[['service']], [['service', 'eventType']]]);
    expect(processed.emf.map(valuesOf)).toEqual([
      { service: 'clerk-webhook-processor', EventsApplied: 1, ProcessingLag: expect.any(Number) },
      { service: 'clerk-webhook-processor', eventType: 'user.created', EventsApplied: 1 },
    ]);
    // userCreatedBody's envelope timestamp is 1_700_000_000_000 (Nov 2023): the lag is the processing time since then.
    expect(processed.emf[0]!.ProcessingLag).toBeGreaterThanOrEqual(processingStarted - 1_700_000_000_000);
    expect(processed.emf[0]!.ProcessingLag).toBeLessThanOrEqual(processingFinished - 1_700_000_000_000);
  });

  it('count a forged request as rejected for its signature, and log why under its svix id', async () => {
    const svixId = 'msg_forged_observed';
    const forged = await captureOutput(() =>
      verifier(
        signedRequest({ secrets: [newSigningSecret()], body: userCreatedBody('user_2x', EMAIL), svixId, at: Date.now() }),
        lambdaContext('verifier'),
      ),
    );
    expect(forged.result.statusCode).toBe(401);
    expect(forged.logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'webhook rejected',
        correlation_id: svixId,
        outcome: 'rejected',
        rejection: 'signature',
        code: 'INVALID_SIGNATURE',
      }),
    );
    expect(forged.emf.map(dimensionsOf)).toEqual([[['service']], [['service', 'reason']]]);
    expect(forged.emf.map(valuesOf)).toEqual([
      { service: 'clerk-webhook-verifier', WebhooksReceived: 1, WebhooksRejected: 1 },
      { service: 'clerk-webhook-verifier', reason: 'signature', WebhooksRejected: 1 },
    ]);
    expect(forged.text).not.toContain(EMAIL);
  });
});
