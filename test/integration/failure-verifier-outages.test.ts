import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { keys } from '../../lambdas/shared/table-schema';
import { createVerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { createSecretsManagerReader } from '../../lambdas/verifier/secrets-manager-reader';
import { createSecretsManagerSecretSource } from '../../lambdas/verifier/secrets-manager-secret-source';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { createSqsMessageSender } from '../../lambdas/verifier/sqs-message-sender';
import type { WebhookOutcome } from '../../lambdas/verifier/webhook-outcome';
import { CapturingLogger } from '../support/capturing-logger';
import { newSigningSecret, signedRequest, userCreatedBody } from '../support/signed-request';
import { createQueues, createTable } from '../../local/create-resources';
import { toSqsRecord } from '../../local/sqs-event-source';
import { awsErrorAnswer, type EndpointAnswer, startAwsJsonEndpoint } from '../support/aws-json-endpoint';
import { localDocumentClient, localDynamoDb, localEngineEndpoints, localQueueSender, localSqs, uniqueName } from '../support/local-clients';
import { readItem } from '../support/table-reads';

/**
 * The verifier's dependencies failing on the wire (a local endpoint in front of them, or in their
 * place): Svix must get a 5xx (and retry), never a 2xx for an event that is not queued.
 */

const NOW = Date.UTC(2024, 4, 29, 9, 0, 0);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf';

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await localSqs().send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages;
}

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
/** Short attempts: these tests are about the answer, verifier-timeouts.test.ts about the function's own bounds. */
const SHORT = { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 2 };

describe('verifier: Secrets Manager unavailable at a cold start', () => {
  it.each([
    // What the log's reason names, as a pattern: Node words a reset connection in one of two ways.
    ['a timeout', { hang: true }, 'TimeoutError: no complete answer within the configured 300 ms requestTimeout'],
    ['a server error', awsErrorAnswer(500, 'InternalServiceError', 'An error occurred on the server side'), 'InternalServiceError: An error occurred on the server side'],
    ['a network error', { reset: true }, 'Error: (socket hang up|read ECONNRESET)'],
  ] as [string, EndpointAnswer, string][])('answers 503 after %s, never 401, and queues nothing', async (_what, fault, detail) => {
    const { queueUrl } = await createQueues(localSqs(), uniqueName('verifier-outage'));
    const endpoint = await startAwsJsonEndpoint(() => fault);
    const secretsManager = createSecretsManagerReader({ ...LOCAL, endpoint: endpoint.url, timeouts: SHORT });
    const outcomes: WebhookOutcome[] = [];
    const logger = new CapturingLogger();
    const handle = createVerifierHandler({
      queue: localQueueSender(),
      queueUrl,
      secrets: createSecretsManagerSecretSource({ secretsManager, secretId: SECRET_ARN, ttlMs: 300_000, now: () => NOW, logger }),
      maxBodyBytes: 262_144,
      now: () => NOW,
      logger,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const secret = newSigningSecret();

    const response = await handle(signedRequest({ secrets: [secret], body: userCreatedBody(), svixId: 'msg_cold', at: NOW }));
    secretsManager.destroy();
    await endpoint.close();

    expect(response.statusCode).toBe(503);
    expect(endpoint.requests).toHaveLength(SHORT.maxAttempts);
    expect(outcomes).toEqual([
      { result: 'failed', statusCode: 503, code: 'SIGNING_SECRET_UNAVAILABLE', rejection: undefined, svixId: 'msg_cold' },
    ]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        correlation_id: 'msg_cold',
        outcome: 'failed',
        reason: expect.stringMatching(new RegExp(`^could not read the signing secret from Secrets Manager \\(${detail}\\)$`)),
      }),
    );
    expect(await receiveAll(queueUrl)).toEqual([]);
  });
});

describe('verifier: SQS times out after it accepted the message', () => {
  it('answers 503; the retry Svix then sends is queued again, and the processor applies the event once', async () => {
    const sqs = localSqs();
    const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('verifier-lost-ack'));
    const tableName = uniqueName('verifier-lost-ack');
    await createTable(localDynamoDb(), tableName);
    // In front of the emulator: each attempt of the first delivery reaches SQS, and its answer is lost.
    let lostAnswers = SHORT.maxAttempts;
    const proxy = await startAwsJsonEndpoint((request) => {
      const forwardTo = localEngineEndpoints().sqsEndpoint;
      if (request.target !== 'AmazonSQS.SendMessage' || lostAnswers === 0) return { forwardTo };
      lostAnswers -= 1;
      return { forwardTo, dropAnswer: true };
    });
    const queue = createSqsMessageSender({ ...LOCAL, endpoint: proxy.url, timeouts: SHORT });
    const secret = newSigningSecret();
    const handle = createVerifierHandler({
      queue,
      queueUrl,
      secrets: staticSecretSource([secret]),
      maxBodyBytes: 262_144,
      now: () => NOW,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const deliver = () =>
      handle(signedRequest({ secrets: [secret], body: userCreatedBody('user_2lostack'), svixId: 'msg_lost_ack', at: NOW }));

    try {
      expect((await deliver()).statusCode).toBe(503);
      expect((await deliver()).statusCode).toBe(200);
    } finally {
      queue.destroy();
      await proxy.close();
    }

    // Both attempts of the first delivery, and Svix's retry.
    const messages = await receiveAll(queueUrl);
    expect(messages).toHaveLength(SHORT.maxAttempts + 1);
    const outcomes: RecordOutcome[] = [];
    const process = createProcessorHandler({
      documentClient: localDocumentClient(),
      sqs,
      tableName,
      deadLetterQueueUrl,
      queueUrl,
      now: () => NOW,
      logger: new Logger({ logLevel: 'SILENT' }),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    for (const message of messages) {
      // One at a time, as two separate batches would see them.
      const response = await process({
        Records: [toSqsRecord(message, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:events', awsRegion: 'us-east-1' })],
      });
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(outcomes.map((outcome) => [outcome.svixId, outcome.result])).toEqual([
      ['msg_lost_ack', 'applied'],
      ...Array.from({ length: SHORT.maxAttempts }, () => ['msg_lost_ack', 'duplicate']),
    ]);
    expect(await readItem(localDocumentClient(), tableName, keys.user('user_2lostack'))).toMatchObject({ type: 'user', id: 'user_2lostack' });
  });
});
