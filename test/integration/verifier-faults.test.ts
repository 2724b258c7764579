import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createVerifierHandler, type VerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { createSecretsManagerSecretSource } from '../../lambdas/verifier/secrets-manager-secret-source';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { CapturingLogger } from '../support/capturing-logger';
import {
  newSigningSecret,
  signedRequest,
  userCreatedBody,
} from '../support/signed-request';
import { createQueues } from '../../local/create-resources';
import { localSqs, uniqueName } from '../support/local-clients';

const START = Date.UTC(2024, 4, 1, 12, 0, 0);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf';
const BODY = userCreatedBody('user_2fault', 'grace.hopper@example.com');

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
}

async function queuedIds(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  return Messages.map((message) => (JSON.parse(message.Body!) as { svixId: string }).svixId).sort();
}

describe('verifier when SQS fails', () => {
  it('answers 503 and acknowledges nothing when SendMessage fails', async () => {
    const sqs = new SQSClient({ region: 'us-east-1' });
    const sqsMock = mockClient(sqs);
    sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' }));
    const secret = newSigningSecret();
    const logger = new CapturingLogger();
    const handle = createVerifierHandler({
      sqs,
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/clerk-events',
      secrets: staticSecretSource([secret]),
      maxBodyBytes: 262_144,
      now: () => START,
      logger,
    });

    const response = await handle(signedRequest({ secrets: [secret], body: BODY, svixId: 'msg_sqsdown', at: START }));

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body!)).toEqual({ error: 'could not queue the event; retry later' });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
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
});

describe('verifier with Secrets Manager', () => {
  const sqs = localSqs();
  let queueUrl: string;
  let secretsManager: ReturnType<typeof mockClient>;
  let clock: { now: number };
  let logger: CapturingLogger;
  let handle: VerifierHandler;

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier-sm')));
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    secretsManager = mockClient(client);
    clock = { now: START };
    logger = new CapturingLogger();
    const now = () => clock.now;
    handle = createVerifierHandler({
      sqs,
      queueUrl,
      secrets: createSecretsManagerSecretSource({ client, secretId: SECRET_ARN, ttlMs: 300_000, now, logger }),
      maxBodyBytes: 262_144,
      now,
      logger,
    });
  });

  const getSecretCalls = () => secretsManager.commandCalls(GetSecretValueCommand).length;
  const deliver = (secret: string, svixId: string) =>
    handle(signedRequest({ secrets: [secret], body: BODY, svixId, at: clock.now }));

  it('answers 503, never 401, when the secret cannot be read at a cold start, then recovers', async () => {
    const secret = newSigningSecret();
    secretsManager.on(GetSecretValueCommand).rejectsOnce(throttling()).resolves({ SecretString: secret });

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

    // Svix's next attempt (5 s later) finds the backoff (1 s) over.
    clock.now += 5_000;
    expect((await deliver(secret, 'msg_cold')).statusCode).toBe(200);
    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_cold']);
  });

  it.each([
    ['the placeholder the stack creates', 'Xb3kPq9ZrT6vW2mN8cYh4JdL7sFg1Qe5', 'signing secret entry 1 of 1 does not start with whsec_'],
    ['a one-byte key', 'whsec_AA==', 'signing secret entry 1 of 1 is a 1-byte key; at least 16 bytes are required (Svix issues 24)'],
  ])('with %s stored, answers 500 (misconfigured) and a flood costs a handful of GetSecretValue calls, not one each', async (_case, stored, reason) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stored });
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
    const stored = 'not-a-webhook-secret-0123456789';
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: stored });

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
    expect(logger.text()).not.toContain(stored);
    expect(await queuedIds(sqs, queueUrl)).toEqual([]);
  });

  it('accepts either value of a secret holding two', async () => {
    const [current, next] = [newSigningSecret(), newSigningSecret()];
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `${current},\n${next}` });

    expect((await deliver(current, 'msg_current')).statusCode).toBe(200);
    expect((await deliver(next, 'msg_next')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(1);
    expect(await queuedIds(sqs, queueUrl)).toEqual(['msg_current', 'msg_next']);
  });

  it('shares one secret fetch between concurrent cold-start requests', async () => {
    const secret = newSigningSecret();
    secretsManager
      .on(GetSecretValueCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ SecretString: secret }), 20)));

    const responses = await Promise.all(['msg_c1', 'msg_c2', 'msg_c3', 'msg_c4'].map((id) => deliver(secret, id)));

    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
    expect(getSecretCalls()).toBe(1);
  });

  it('refetches once after a failed signature when the cache is a few seconds old (rotation), not on every failure', async () => {
    const [old, rotated] = [newSigningSecret(), newSigningSecret()];
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: old }).resolves({ SecretString: rotated });

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
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: old }).resolves({ SecretString: rotated });

    expect((await deliver(old, 'msg_first')).statusCode).toBe(200);
    clock.now += 2_000;
    expect((await deliver(rotated, 'msg_too_soon')).statusCode).toBe(401);
    expect(getSecretCalls()).toBe(1);
  });

  it('keeps verifying with the cached secret when Secrets Manager fails after the TTL', async () => {
    const secret = newSigningSecret();
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: secret }).rejects(throttling());

    expect((await deliver(secret, 'msg_warm')).statusCode).toBe(200);
    clock.now += 300_000;
    expect((await deliver(secret, 'msg_stale_ok')).statusCode).toBe(200);
    expect(getSecretCalls()).toBe(2);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'signing secret refresh failed; still using the cached value' }),
    );
  });
});
