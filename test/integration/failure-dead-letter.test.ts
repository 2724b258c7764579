import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { captureOutput } from '../support/capture-emf';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent, withData } from '../../lambdas/shared/sample-events';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { sqsEventOf, sqsRecordOf } from '../support/random-history';

/** What an operator finds in the logs and the DLQ when an event fails, for good or for now. */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const EMAIL = 'dorothy.vaughan@example.com';
const sqs = localSqs();
let tableName: string;
let deadLetterQueueUrl: string;
let queueUrl: string;

beforeAll(async () => {
  tableName = uniqueName('failure-dlq');
  await createTable(localDynamoDb(), tableName);
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('failure-dlq')));
});

function processor(documentClient = localDocumentClient()) {
  return createProcessorHandler({
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => T0,
    logger: new Logger({ serviceName: 'clerk-webhook-processor', logLevel: 'INFO' }),
  });
}

async function deadLetters(): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
  );
  return Messages;
}

describe('failures, as the operator sees them', () => {
  it('a message that can never succeed goes to the DLQ at once, and the log says why under its svix id', async () => {
    // A user.created without data.id: no retry can apply it.
    const svixId = 'msg_never_succeeds';
    const event = withData(sampleEvent('user.created', { userId: 'user_2never', email: EMAIL, at: T0 }), { id: null });
    const record = sqsRecordOf({ svixId, event });

    const { result, logs, text } = await captureOutput(() => processor()(sqsEventOf([record])));

    expect(result.batchItemFailures).toEqual([]);
    const reason = 'MalformedEventError: user.created: data.id is missing or not a non-empty string';
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'event can never succeed, sent to the dead-letter queue',
        correlation_id: svixId,
        messageId: record.messageId,
        eventType: 'user.created',
        outcome: 'dead-lettered',
        reason,
      }),
    );
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.Body).toBe(record.body);
    expect(letters[0]!.MessageAttributes?.errorReason?.StringValue).toBe(reason);
    expect(letters[0]!.MessageAttributes?.svixId?.StringValue).toBe(svixId);
    expect(text).not.toContain(EMAIL);
    expect(text).not.toMatch(/Dorothy|Vaughan/i);
  });

  it('a transient failure is logged with its reason and the record is left to SQS to redeliver', async () => {
    const documentClient = localDocumentClient();
    const mock = mockClient(documentClient);
    mock.rejects(Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }));
    const svixId = 'msg_transient';
    const record = sqsRecordOf({ svixId, event: sampleEvent('user.updated', { userId: 'user_2transient', email: EMAIL, at: T0 }) });
    let captured: Awaited<ReturnType<typeof captureOutput<SQSBatchResponse>>>;
    try {
      captured = await captureOutput(() => processor(documentClient)(sqsEventOf([record])));
    } finally {
      mock.restore();
    }

    expect(captured.result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(captured.logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'event failed, SQS will redeliver it',
        correlation_id: svixId,
        eventType: 'user.updated',
        entityId: 'user_2transient',
        outcome: 'failed',
        reason: 'TimeoutError: Connection timed out after 1000 ms',
      }),
    );
    expect(captured.text).not.toContain(EMAIL);
  });
});
