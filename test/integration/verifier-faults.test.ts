import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createVerifierHandler, type VerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { createSecretsManagerReader, type SecretsManagerReader } from '../../lambdas/verifier/secrets-manager-reader';
import { createSecretsManagerSecretSource } from '../../lambdas/verifier/secrets-manager-secret-source';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { createSqsMessageSender } from '../../lambdas/verifier/sqs-message-sender';
import { VERIFIER_DEFAULTS } from '../../lambdas/verifier/verifier-config';
import { type AwsJsonEndpoint, awsErrorAnswer, type EndpointAnswer, startAwsJsonEndpoint } from '../support/aws-json-endpoint';
import { CapturingLogger } from '../support/capturing-logger';
import { type SecretAnswer, type SecretsManagerStub, startSecretsManagerStub } from '../support/secrets-manager-stub';
import {
  newSigningSecret,
  signedRequest,
  userCreatedBody,
} from '../support/signed-request';
import { createQueues } from '../../local/create-resources';
import { localEngineEndpoints, localQueueSender, localSqs, uniqueName } from '../support/local-clients';

/**
 * The verifier's AWS calls failing on the wire: its own clients (as in Lambda, with the
 * function's timeouts and attempts) against a local endpoint that answers errors, throttles, or
 * passes requests on to the SQS emulator, and a Secrets Manager stub.
 */

const START = Date.UTC(2024, 4, 1, 12, 0, 0);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf';
const BODY = userCreatedBody('user_2fault', 'grace.hopper@example.com');

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const throttling: EndpointAnswer = awsErrorAnswer(400, 'ThrottlingException', 'Rate exceeded', { 'content-type': 'application/x-amz-json-1.1' });

async function queuedIds(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  return Messages.map((message) => (JSON.parse(message.Body!) as { svixId: string }).svixId).sort();
}

describe('verifier when SQS fails', () => {
  const endpoints: AwsJsonEndpoint[] = [];
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close()));
  });

  async function verifierBehind(answer: (index: number) => EndpointAnswer, queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/clerk-events') {
    const endpoint = await startAwsJsonEndpoint((_request, index) => answer(index));
    endpoints.push(endpoint);
    const queue = createSqsMessageSender({ ...LOCAL, endpoint: endpoint.url, timeouts: VERIFIER_DEFAULTS.sqsTimeouts });
    const secret = newSigningSecret();
    const logger = new CapturingLogger();
    const handle = createVerifierHandler({ queue, queueUrl, secrets: staticSecretSource([secret]), maxBodyBytes: 262_144, now: () => START, logger });
    const deliver = async (svixId: string) => {
      const response = await handle(signedRequest({ secrets: [secret], body: BODY, svixId, at: START }));
      queue.destroy();
      return response;
    };
    return { endpoint, logger, deliver };
  }

  it('answers 503 and acknowledges nothing when SendMessage fails on every attempt', async () => {
    const { endpoint, logger, deliver } = await verifierBehind(() => awsErrorAnswer(503, 'ServiceUnavailable', 'Service Unavailable'));

    const response = await deliver('msg_sqsdown');

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body!)).toEqual({ error: 'could not queue the event; retry later' });
    expect(endpoint.requests.map((request) => request.target)).toEqual(
      Array(VERIFIER_DEFAULTS.sqsTimeouts.maxAttempts).fill('AmazonSQS.SendMessage'),
    );
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'WARN', instanceId: 'ins_1' }), // no instance allow-list
      expect.objectContaining({
        level: 'ERROR',
        message: 'webhook not accepted',
        statusCode: 503,
        code: 'ENQUEUE_FAILED',
        svixId: 'msg_sqsdown',
        reason: 'SQS did not accept the event (ServiceUnavailable: Service Unavailable)',
      }),
    ]);
    expect(logger.text()).not.toContain('grace.hopper@example.com');
  });

  it('retries when SQS throttles, and answers 200 once the event is queued', async () => {
    const sqs = localSqs();
    const { queueUrl } = await createQueues(sqs, uniqueName('verifier-throttled'));
    const throttled = awsErrorAnswer(400, 'com.amazonaws.sqs#RequestThrottled', 'Request is throttled.', {
      'x-amzn-query-error': 'AWS.SimpleQueueService.RequestThrottled;Sender',
    });
    const { endpoint, deliver } = await verifierBehind(
      (index) => (index === 0 ? throttled : { forwardTo: localEngineEndpoints().sqsEndpoint }),
      queueUrl,
    );

    expect((await deliver('msg_throttled')).statusCode).toBe(200);
    expect(endpoint.requests).toHaveLength(2);
    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_throttled']);
  });

  it.each([
    ['another body', { MessageId: 'm-1', MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e' }],
    ['none', { MessageId: 'm-1' }],
  ])('answers 503, never 200, when the MD5 SQS reports is of %s', async (_case, answer) => {
    const { endpoint, logger, deliver } = await verifierBehind(() => ({ status: 200, json: answer }));

    expect((await deliver('msg_md5')).statusCode).toBe(503);
    expect(endpoint.requests).toHaveLength(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        code: 'ENQUEUE_FAILED',
        reason: 'SQS did not accept the event (MessageChecksumError: the MD5OfMessageBody SQS answered is not the MD5 of the body sent)',
      }),
    );
  });
});

describe('verifier with Secrets Manager', () => {
  const sqs = localSqs();
  const queue = localQueueSender();
  let queueUrl: string;
  let stub: SecretsManagerStub;
  let reader: SecretsManagerReader;
  let clock: { now: number };
  let logger: CapturingLogger;
  let handle: VerifierHandler;

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier-sm')));
    stub = await startSecretsManagerStub('not used: each test says what the stub answers');
    reader = createSecretsManagerReader({ ...LOCAL, endpoint: stub.endpoint, timeouts: VERIFIER_DEFAULTS.secretsManagerTimeouts });
    clock = { now: START };
    logger = new CapturingLogger();
    const now = () => clock.now;
    handle = createVerifierHandler({
      queue,
      queueUrl,
      secrets: createSecretsManagerSecretSource({ secretsManager: reader, secretId: SECRET_ARN, ttlMs: 300_000, now, logger }),
      maxBodyBytes: 262_144,
      now,
      logger,
    });
  });
  afterEach(async () => {
    reader.destroy();
    await stub.stop();
  });

  /** GetSecretValue requests that reached Secrets Manager (each attempt of a read counts). */
  const getSecretCalls = () => stub.calls();
  const stored = (secretString: string): SecretAnswer => ({ secretString });
  /** Attempts of one read: a read fails only when each of them does. */
  const ATTEMPTS = VERIFIER_DEFAULTS.secretsManagerTimeouts.maxAttempts;
  const deliver = (secret: string, svixId: string) =>
    handle(signedRequest({ secrets: [secret], body: BODY, svixId, at: clock.now }));

  it('answers 503, never 401, when the secret cannot be read at a cold start, then recovers', async () => {
    const secret = newSigningSecret();
    stub.answer((call) => (call < ATTEMPTS ? throttling : stored(secret)));

    const response = await deliver(secret, 'msg_cold');
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body!)).toEqual({ error: 'signing secret temporarily unavailable; retry later' });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        code: 'SIGNING_SECRET_UNAVAILABLE',
        reason: 'could not read the signing secret from Secrets Manager (ThrottlingException: Rate exceeded)',
      }),
    ]);
    expect(getSecretCalls()).toBe(ATTEMPTS); // throttling is retried before the read gives up

    // Svix's next attempt (5 s later) finds the backoff (1 s) over.
    clock.now += 5_000;
    expect((await deliver(secret, 'msg_cold')).statusCode).toBe(200);
    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_cold']);
  });

  it.each([
    ['the placeholder the stack creates', 'Xb3kPq9ZrT6vW2mN8cYh4JdL7sFg1Qe5', 'signing secret entry 1 of 1 does not start with whsec_'],
    ['a one-byte key', 'whsec_AA==', 'signing secret entry 1 of 1 is a 1-byte key; at least 16 bytes are required (Svix issues 24)'],
  ])('with %s stored, answers 500 (misconfigured) and a flood costs a handful of GetSecretValue calls, not one each', async (_case, value, reason) => {
    stub.answer(() => stored(value));
    // 20 requests a second for 5 minutes, forged or real: none can be verified.
    const statuses = new Set<number | undefined>();
    for (let request = 0; request < 6_000; request += 1) {
      statuses.add((await deliver(newSigningSecret(), `msg_flood_${request}`)).statusCode);
      clock.now += 50;
    }
    expect([...statuses]).toEqual([500]);
    // At 0, 1, 3, 7, 15, 31, 63 s, then every 60 s: 123, 183, 243 s. Without the backoff: 6,000.
    expect(getSecretCalls()).toBe(10);
    expect(logger.lines[0]).toEqual(expect.objectContaining({ code: 'INVALID_SIGNING_SECRET', reason }));
  });

  it('answers 500 with a clear log line when the stored value is not a whsec_ secret, and never logs it', async () => {
    const value = 'not-a-webhook-secret-0123456789';
    stub.answer(() => stored(value));

    const response = await deliver(newSigningSecret(), 'msg_misconfigured');

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body!)).toEqual({
      error: 'the webhook receiver is misconfigured (signing secret); see its logs',
    });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        code: 'INVALID_SIGNING_SECRET',
        reason: 'signing secret entry 1 of 1 does not start with whsec_',
      }),
    ]);
    expect(logger.text()).not.toContain(value);
    expect(await queuedIds(sqs, queueUrl)).toEqual([]);
  });

  it('accepts either value of a secret holding two', async () => {
    const [current, next] = [newSigningSecret(), newSigningSecret()];
    stub.answer(() => stored(`${current},\n${next}`));

    expect((await deliver(current, 'msg_current')).statusCode).toBe(200);
    expect((await deliver(next, 'msg_next')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(1);
    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_current', 'msg_next']);
  });

  it('shares one secret fetch between concurrent cold-start requests', async () => {
    const secret = newSigningSecret();
    stub.answer(() => ({ secretString: secret, delayMs: 20 }));

    const responses = await Promise.all(['msg_c1', 'msg_c2', 'msg_c3', 'msg_c4'].map((id) => deliver(secret, id)));

    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
    expect(getSecretCalls()).toBe(1);
  });

  it('refetches once after a failed signature when the cache is a few seconds old (rotation), not on every failure', async () => {
    const [old, rotated] = [newSigningSecret(), newSigningSecret()];
    stub.answer((call) => stored(call === 0 ? old : rotated));

    expect((await deliver(old, 'msg_before')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(1);

    // Clerk rotates the secret; the cache (10 s old, TTL 5 min) still holds the old one.
    clock.now += 10_000;
    expect((await deliver(rotated, 'msg_after')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(2);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ message: 'signature matched after refetching the signing secret (rotation)', svixId: 'msg_after' }),
    );

    // A flood of forgeries right after: every one is 401 and none reaches Secrets Manager.
    clock.now += 1_000;
    const forger = newSigningSecret();
    for (let i = 0; i < 25; i += 1) {
      const response = await deliver(forger, `msg_forged_${i}`);
      expect(response.statusCode).toBe(401);
    }
    expect(getSecretCalls()).toBe(2);

    // Forgeries keep costing at most one fetch per 5 s.
    clock.now += 5_000;
    expect((await deliver(forger, 'msg_forged_late')).statusCode).toBe(401);
    expect((await deliver(forger, 'msg_forged_late2')).statusCode).toBe(401);
    expect(getSecretCalls()).toBe(3);

    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_after', 'msg_before']);
  });

  it('does not refetch when the cache is fresher than a few seconds', async () => {
    const [old, rotated] = [newSigningSecret(), newSigningSecret()];
    stub.answer((call) => stored(call === 0 ? old : rotated));

    expect((await deliver(old, 'msg_first')).statusCode).toBe(200);
    clock.now += 2_000;
    expect((await deliver(rotated, 'msg_too_soon')).statusCode).toBe(401);
    expect(getSecretCalls()).toBe(1);
  });

  it('keeps verifying with the cached secret when Secrets Manager fails after the TTL', async () => {
    const secret = newSigningSecret();
    stub.answer((call) => (call === 0 ? stored(secret) : throttling));

    expect((await deliver(secret, 'msg_warm')).statusCode).toBe(200);
    clock.now += 300_000;
    expect((await deliver(secret, 'msg_stale_ok')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(1 + ATTEMPTS);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'signing secret refresh failed; still using the cached value' }),
    );
  });
});
