import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { keys } from '../../lambdas/shared/table-schema';
import { createVerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { createSecretsManagerSecretSource } from '../../lambdas/verifier/secrets-manager-secret-source';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import type { WebhookOutcome } from '../../lambdas/verifier/webhook-outcome';
import { CapturingLogger } from '../support/capturing-logger';
import { newSigningSecret, signedRequest, userCreatedBody } from '../support/signed-request';
import { createQueues, createTable } from '../../local/create-resources';
import { toSqsRecord } from '../../local/sqs-event-source';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { readItem } from '../support/table-reads';

/** The verifier's dependencies failing: Svix must get a 5xx (and retry), never a 2xx for an event that is not queued. */

const NOW = Date.UTC(2024, 4, 29, 9, 0, 0);
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-webhook-signing-AbCdEf';

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await localSqs().send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
  );
  return Messages;
}

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('verifier: Secrets Manager unavailable at a cold start', () => {
  it.each([
    ['a timeout', sdkError('TimeoutError', 'Connection timed out after 1000 ms'), 'TimeoutError: Connection timed out after 1000 ms'],
    ['a server error', sdkError('InternalServiceError', 'An error occurred on the server side'), 'InternalServiceError: An error occurred on the server side'],
    ['a network error', sdkError('Error', 'read ECONNRESET'), 'Error: read ECONNRESET'],
  ])('answers 503 after %s, never 401, and queues nothing', async (_what, error, detail) => {
    const { queueUrl } = await createQueues(localSqs(), uniqueName('verifier-outage'));
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    mockClient(client).on(GetSecretValueCommand).rejects(error);
    const outcomes: WebhookOutcome[] = [];
    const logger = new CapturingLogger();
    const handle = createVerifierHandler({
      sqs: localSqs(),
      queueUrl,
      secrets: createSecretsManagerSecretSource({ client, secretId: SECRET_ARN, ttlMs: 300_000, now: () => NOW, logger }),
      maxBodyBytes: 262_144,
      now: () => NOW,
      logger,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const secret = newSigningSecret();

    const response = await handle(signedRequest({ secrets: [secret], body: userCreatedBody(), svixId: 'msg_cold', at: NOW }));

    expect(response.statusCode).toBe(503);
    expect(outcomes).toEqual([
      { result: 'failed', statusCode: 503, code: 'SIGNING_SECRET_UNAVAILABLE', rejection: undefined, svixId: 'msg_cold' },
    ]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        correlation_id: 'msg_cold',
        outcome: 'failed',
        reason: `could not read the signing secret from Secrets Manager (${detail})`,
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
    const realSend = sqs.send.bind(sqs) as (command: unknown) => Promise<unknown>;
    const mock = mockClient(sqs);
    let lostAnswers = 1;
    const fake = async (command: unknown) => {
      const output = await realSend(command);
      if (command instanceof SendMessageCommand && lostAnswers > 0) {
        lostAnswers -= 1;
        throw sdkError('TimeoutError', 'socket hang up');
      }
      return output;
    };
    mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
    const secret = newSigningSecret();
    const handle = createVerifierHandler({
      sqs,
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
      mock.restore();
    }

    const messages = await receiveAll(queueUrl);
    expect(messages).toHaveLength(2);
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
      ['msg_lost_ack', 'duplicate'],
    ]);
    expect(await readItem(localDocumentClient(), tableName, keys.user('user_2lostack'))).toMatchObject({ type: 'user', id: 'user_2lostack' });
  });
});
