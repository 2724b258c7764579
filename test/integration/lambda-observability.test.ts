import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import dns from 'node:dns';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { FUNCTION_OBSERVABILITY_DEFAULTS } from '../../lib/constructs/node-function';
import { captureOutput, type CapturedOutput, type EmfDocument } from '../support/capture-emf';
import { type ApplicationLogLevel, deliveredByLambda } from '../support/lambda-log-delivery';
import { newSigningSecret, signedRequest, userCreatedBody } from '../support/signed-request';
import { createQueues, createTable } from '../../local/create-resources';
import { toSqsRecord } from '../../local/sqs-event-source';
import { localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { type SecretsManagerStub, startSecretsManagerStub } from '../support/secrets-manager-stub';
import { lambdaContext } from '../support/lambda-context';

/**
 * The Lambda entry points themselves (lambdas/{verifier,processor}/index.ts), configured by
 * environment as the stack configures them and pointed at the local engines through the
 * AWS_ENDPOINT_URL_* variables (Secrets Manager: a local stub, there is no emulator): what their
 * logs and metrics look like in CloudWatch. Lambda sets
 * AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL from the function's logging config and drops what
 * is below the level (test/support/lambda-log-delivery.ts applies its documented rule to what the
 * functions wrote): at the stack's default levels every failure must still come through.
 */

type VerifierEntry = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
type ProcessorEntry = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const SECRET = newSigningSecret();
const EMAIL = 'katherine.johnson@example.com';
const sqs = localSqs();
const savedEnv = { ...process.env };
const DEFAULT_LEVEL: ApplicationLogLevel = FUNCTION_OBSERVABILITY_DEFAULTS.logLevel;
let verifier: VerifierEntry;
let processor: ProcessorEntry;
let queueUrl: string;
let deadLetterQueueUrl: string;

interface EntryPoints {
  readonly verifier: VerifierEntry;
  readonly processor: ProcessorEntry;
}

const stubs: SecretsManagerStub[] = [];

/**
 * A cold start of both functions with Lambda's logging environment at `level`, the stored signing
 * secret `secretString` (in a Secrets Manager stub of its own), and `env` on top of the stack's environment.
 */
async function coldStartAt(level: ApplicationLogLevel, options: { secretString?: string; env?: Record<string, string> } = {}): Promise<EntryPoints> {
  const stub = await startSecretsManagerStub(options.secretString ?? SECRET);
  stubs.push(stub);
  const base = { ...process.env };
  Object.assign(process.env, { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: level, AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.endpoint }, options.env);
  let loaded: EntryPoints | undefined;
  try {
    jest.isolateModules(() => {
      loaded = {
        verifier: (require('../../lambdas/verifier/index') as { handler: VerifierEntry }).handler,
        processor: (require('../../lambdas/processor/index') as { handler: ProcessorEntry }).handler,
      };
    });
  } finally {
    process.env = base;
  }
  return loaded!;
}

/** What CloudWatch Logs receives of a captured output when the function's application log level is `level`. */
function delivered<T>(captured: CapturedOutput<T>, level: ApplicationLogLevel) {
  const lines = captured.text.split('\n').filter((line) => line.trim() !== '' && deliveredByLambda(line, level));
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logs: parsed.filter((line) => !('_aws' in line)),
    emf: parsed.filter((line): line is EmfDocument => '_aws' in line),
  };
}

const dimensionsOf = (document: EmfDocument) => document._aws.CloudWatchMetrics[0]!.Dimensions;
const valuesOf = ({ _aws, ...values }: EmfDocument) => values;

/**
 * The emulator names its queues http://sqs.<region>.localhost:<port>/…, and the verifier (like the
 * SDK) sends each SendMessage to its QueueUrl's host (a function configured by environment has no
 * `endpoint` to override that). Not every resolver maps *.localhost to the loopback address, so the test does.
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
  deadLetterQueueUrl = queues.deadLetterQueueUrl;
  Object.assign(process.env, {
    QUEUE_URL: queues.queueUrl,
    SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf',
    PARTITION_URL_SUFFIX: 'amazonaws.com',
    TABLE_NAME: tableName,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    // The emulator's own host name, as in its queue URLs: each SendMessage goes to its QueueUrl's host anyway.
    AWS_ENDPOINT_URL_SQS: `http://${new URL(queues.queueUrl).host}`,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.DYNAMODB_ENDPOINT,
  });
  delete process.env.POWERTOOLS_SERVICE_NAME;
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  // An operator who turned the application log level up to INFO sees every event.
  ({ verifier, processor } = await coldStartAt('INFO'));
});

afterAll(async () => {
  await Promise.all(stubs.map((stub) => stub.stop()));
  dns.lookup = realLookup;
  process.env = { ...savedEnv };
});

describe('Lambda entry points: logs and metrics, application log level turned up to INFO', () => {
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

    // An accepted request costs no metric document: the dashboard counts it from the invocations.
    expect(verified.emf).toEqual([]);

    expect(processed.emf.map(dimensionsOf)).toEqual([[['service']], [['service', 'eventType']]]);
    expect(processed.emf.map(valuesOf)).toEqual([
      { service: 'clerk-webhook-processor', level: 'INFO', EventsApplied: 1, ProcessingLag: expect.any(Number) },
      { service: 'clerk-webhook-processor', level: 'INFO', eventType: 'user.created', EventsApplied: 1 },
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
    expect(forged.emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('ClerkWebhookSync');
    expect(forged.emf.map(dimensionsOf)).toEqual([[['service']], [['service', 'reason']]]);
    expect(forged.emf.map(valuesOf)).toEqual([
      { service: 'clerk-webhook-verifier', level: 'INFO', WebhooksRejected: 1 },
      { service: 'clerk-webhook-verifier', level: 'INFO', reason: 'signature', WebhooksRejected: 1 },
    ]);
    expect(forged.text).not.toContain(EMAIL);
  });
});

describe(`at the stack's default log level (${DEFAULT_LEVEL}), after Lambda's filter`, () => {
  const processorContext = lambdaContext('processor');
  const receiveAll = async (url: string) =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
  const asRecords = (messages: Awaited<ReturnType<typeof receiveAll>>) =>
    messages.map((message) => toSqsRecord(message, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' }));

  it('a successful event costs its processing metrics and nothing else: no line per event', async () => {
    const quiet = await coldStartAt(DEFAULT_LEVEL);
    // Without an instance allow-list, the first event of each instance since the cold start warns
    // once, naming it (README, Security); every later event of that instance is silent.
    const first = await captureOutput(() =>
      quiet.verifier(signedRequest({ secrets: [SECRET], body: userCreatedBody('user_2first', EMAIL), svixId: `msg_${uniqueName('first').replace(/-/g, '')}`, at: Date.now() }), lambdaContext('verifier')),
    );
    expect(first.result.statusCode).toBe(200);
    expect(delivered(first, DEFAULT_LEVEL).logs).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'events of this Clerk instance are accepted: no instance allow-list is set', instanceId: 'ins_1' }),
    ]);
    await captureOutput(async () => quiet.processor({ Records: asRecords(await receiveAll(queueUrl)) }, processorContext));

    const svixId = `msg_${uniqueName('quiet').replace(/-/g, '')}`;
    const verified = await captureOutput(() =>
      quiet.verifier(signedRequest({ secrets: [SECRET], body: userCreatedBody('user_2quiet', EMAIL), svixId, at: Date.now() }), lambdaContext('verifier')),
    );
    expect(verified.result.statusCode).toBe(200);
    const records = asRecords(await receiveAll(queueUrl));
    const processed = await captureOutput(() => quiet.processor({ Records: records }, processorContext));
    expect(processed.result).toEqual({ batchItemFailures: [] });

    const fromVerifier = delivered(verified, DEFAULT_LEVEL);
    const fromProcessor = delivered(processed, DEFAULT_LEVEL);
    expect([...fromVerifier.logs, ...fromProcessor.logs]).toEqual([]);
    expect(fromVerifier.emf).toEqual([]);
    expect(fromProcessor.emf.map(valuesOf)).toEqual([
      { service: 'clerk-webhook-processor', level: DEFAULT_LEVEL, EventsApplied: 1, ProcessingLag: expect.any(Number) },
      { service: 'clerk-webhook-processor', level: DEFAULT_LEVEL, eventType: 'user.created', EventsApplied: 1 },
    ]);
  });

  it('a misconfigured verifier (the placeholder secret) reaches the logs and WebhooksFailed', async () => {
    const misconfigured = await coldStartAt(DEFAULT_LEVEL, { secretString: 'Xk3placeholder9Qz' });
    const svixId = 'msg_misconfigured_observed';
    const answered = await captureOutput(() =>
      misconfigured.verifier(signedRequest({ secrets: [SECRET], body: userCreatedBody('user_2y', EMAIL), svixId, at: Date.now() }), lambdaContext('verifier')),
    );
    expect(answered.result.statusCode).toBe(500);
    const { logs, emf } = delivered(answered, DEFAULT_LEVEL);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'webhook not accepted', correlation_id: svixId, code: 'INVALID_SIGNING_SECRET' }),
    );
    expect(emf.map(valuesOf)).toContainEqual(expect.objectContaining({ service: 'clerk-webhook-verifier', WebhooksFailed: 1 }));
  });

  it('a processing failure SQS will retry (the table is missing) reaches the logs and EventsFailed', async () => {
    const broken = await coldStartAt(DEFAULT_LEVEL, { env: { TABLE_NAME: uniqueName('missing-table') } });
    const svixId = `msg_${uniqueName('failing').replace(/-/g, '')}`;
    const accepted = await captureOutput(() =>
      broken.verifier(signedRequest({ secrets: [SECRET], body: userCreatedBody('user_2failing', EMAIL), svixId, at: Date.now() }), lambdaContext('verifier')),
    );
    expect(accepted.result.statusCode).toBe(200);
    const records = asRecords(await receiveAll(queueUrl));
    const processed = await captureOutput(() => broken.processor({ Records: records }, processorContext));
    expect(processed.result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    const { logs, emf } = delivered(processed, DEFAULT_LEVEL);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'event failed, SQS will redeliver it', correlation_id: svixId, outcome: 'failed' }),
    );
    expect(emf.map(valuesOf)).toContainEqual(expect.objectContaining({ service: 'clerk-webhook-processor', EventsFailed: 1 }));
  });

  it('a message sent to the dead-letter queue reaches the logs and EventsDeadLettered', async () => {
    const quiet = await coldStartAt(DEFAULT_LEVEL);
    const [poison] = asRecords([{ MessageId: 'poison-observed', ReceiptHandle: 'r', Body: '{"not":"a queued event"}', Attributes: {} }]);
    const processed = await captureOutput(() => quiet.processor({ Records: [poison!] }, processorContext));
    expect(processed.result).toEqual({ batchItemFailures: [] });
    const { logs, emf } = delivered(processed, DEFAULT_LEVEL);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'event can never succeed, sent to the dead-letter queue', outcome: 'dead-lettered' }),
    );
    expect(emf.map(valuesOf)).toContainEqual(expect.objectContaining({ service: 'clerk-webhook-processor', EventsDeadLettered: 1 }));
    expect((await receiveAll(deadLetterQueueUrl)).map((message) => message.Body)).toContain('{"not":"a queued event"}');
  });
});
