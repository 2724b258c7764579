import { worstCaseCallMs } from '../../lambdas/shared/sdk-client-options';
import { createVerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { createSecretsManagerSecretSource } from '../../lambdas/verifier/secrets-manager-secret-source';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { createSecretsManagerReader } from '../../lambdas/verifier/secrets-manager-reader';
import { createSqsMessageSender } from '../../lambdas/verifier/sqs-message-sender';
import { VERIFIER_DEFAULTS } from '../../lambdas/verifier/verifier-config';
import type { WebhookOutcome } from '../../lambdas/verifier/webhook-outcome';
import { CapturingLogger } from '../support/capturing-logger';
import { type HungEndpoint, hungEndpoint } from '../support/hung-endpoint';
import { newSigningSecret, signedRequest, userCreatedBody } from '../support/signed-request';

/**
 * The verifier's own clients, with the function's timeouts, against a real endpoint that accepts
 * connections and never answers (a hung service, or a network path that swallows responses): the
 * request must end in a logged 503 within the client timeouts, never in a Lambda timeout without a word.
 */

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
// Without timeouts these calls never return: the test's own timeout is what fails then.
const TEST_TIMEOUT_MS = 20_000;

describe('verifier against a service that never answers', () => {
  let endpoint: HungEndpoint;
  beforeEach(async () => {
    endpoint = await hungEndpoint();
  });
  afterEach(async () => {
    await endpoint.close();
  });

  it(
    'SQS: answers a logged 503 after its attempts time out, well inside the function timeout',
    async () => {
      const queue = createSqsMessageSender({ ...LOCAL, endpoint: endpoint.url, timeouts: VERIFIER_DEFAULTS.sqsTimeouts });
      const secret = newSigningSecret();
      const logger = new CapturingLogger();
      const outcomes: WebhookOutcome[] = [];
      const handle = createVerifierHandler({
        queue,
        queueUrl: `${endpoint.url}/000000000000/events`,
        secrets: staticSecretSource([secret]),
        maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
        now: () => NOW,
        logger,
        onOutcome: (outcome) => outcomes.push(outcome),
      });

      const started = Date.now();
      const response = await handle(signedRequest({ secrets: [secret], body: userCreatedBody(), svixId: 'msg_hung_sqs', at: NOW }));
      const elapsed = Date.now() - started;
      queue.destroy();

      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body!)).toEqual({ error: 'could not queue the event; retry later' });
      expect(endpoint.connections()).toBe(VERIFIER_DEFAULTS.sqsTimeouts.maxAttempts);
      expect(elapsed).toBeGreaterThanOrEqual(VERIFIER_DEFAULTS.sqsTimeouts.requestTimeoutMs * VERIFIER_DEFAULTS.sqsTimeouts.maxAttempts - 50);
      expect(elapsed).toBeLessThan(worstCaseCallMs(VERIFIER_DEFAULTS.sqsTimeouts) + 1_000);
      expect(outcomes).toEqual([expect.objectContaining({ result: 'failed', statusCode: 503, code: 'ENQUEUE_FAILED', svixId: 'msg_hung_sqs' })]);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'webhook not accepted',
          code: 'ENQUEUE_FAILED',
          reason: expect.stringMatching(/^SQS did not accept the event \(TimeoutError: .*1000 ms requestTimeout/),
        }),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Secrets Manager: answers a logged 503 after its attempts time out, then backs off without calling again',
    async () => {
      const secretsManager = createSecretsManagerReader({ ...LOCAL, endpoint: endpoint.url, timeouts: VERIFIER_DEFAULTS.secretsManagerTimeouts });
      const logger = new CapturingLogger();
      const outcomes: WebhookOutcome[] = [];
      const handle = createVerifierHandler({
        queue: { sendMessage: () => Promise.reject(new Error('never reached')) },
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/events',
        secrets: createSecretsManagerSecretSource({ secretsManager, secretId: 'clerk-signing', ttlMs: 300_000, now: Date.now, logger }),
        maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
        now: Date.now,
        logger,
        onOutcome: (outcome) => outcomes.push(outcome),
      });
      const deliver = (svixId: string) =>
        handle(signedRequest({ secrets: [newSigningSecret()], body: userCreatedBody(), svixId, at: Date.now() }));

      const started = Date.now();
      const first = await deliver('msg_hung_sm');
      const elapsed = Date.now() - started;
      expect(first.statusCode).toBe(503);
      expect(JSON.parse(first.body!)).toEqual({ error: 'signing secret temporarily unavailable; retry later' });
      expect(endpoint.connections()).toBe(VERIFIER_DEFAULTS.secretsManagerTimeouts.maxAttempts);
      expect(elapsed).toBeLessThan(worstCaseCallMs(VERIFIER_DEFAULTS.secretsManagerTimeouts) + 1_000);

      // Within the backoff: answered at once, nothing more reaches the endpoint.
      const second = await deliver('msg_hung_sm_2');
      secretsManager.destroy();
      expect(second.statusCode).toBe(503);
      expect(endpoint.connections()).toBe(VERIFIER_DEFAULTS.secretsManagerTimeouts.maxAttempts);
      expect(outcomes.map((outcome) => [outcome.result, outcome.code])).toEqual([
        ['failed', 'SIGNING_SECRET_UNAVAILABLE'],
        ['failed', 'SIGNING_SECRET_UNAVAILABLE'],
      ]);
      expect(logger.lines.filter((line) => line.level === 'ERROR').map((line) => line.reason)).toEqual([
        expect.stringMatching(/^could not read the signing secret from Secrets Manager \(TimeoutError: /),
        expect.stringMatching(/Secrets Manager is asked again in \d+ ms \(backing off after 1 failed reads\)$/),
      ]);
    },
    TEST_TIMEOUT_MS,
  );
});
