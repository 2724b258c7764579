import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { keys } from '../../lambdas/shared/table-schema';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent, withData } from '../../lambdas/shared/sample-events';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { queuedMessageBody } from '../../lambdas/verifier/enqueue-event';
import { sqsEventOf, sqsRecordOf, sqsRecordWithBody, type HistoryEvent } from '../support/random-history';

const T0 = Date.UTC(2024, 4, 29);
const documentClient = localDocumentClient(localDynamoDb());
const sqs = localSqs();
const tableName = uniqueName('processor-failures');
let deadLetterQueueUrl: string;
let queueUrl: string;

beforeAll(async () => {
  await createTable(localDynamoDb(), tableName);
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('processor-failures')));
});

function handlerWith(overrides: { documentClient?: DynamoDBDocumentClient; sqs?: SQSClient; logger?: Logger } = {}) {
  const outcomes: RecordOutcome[] = [];
  const handler = createProcessorHandler({
    documentClient: overrides.documentClient ?? documentClient,
    sqs: overrides.sqs ?? sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => T0,
    logger: overrides.logger ?? new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { handler, outcomes };
}

function userCreated(): { delivery: HistoryEvent; userId: string } {
  const userId = `user_2${randomUUID().slice(0, 8)}`;
  return { delivery: { svixId: `msg_${randomUUID()}`, event: sampleEvent('user.created', { userId, at: T0 }) }, userId };
}

async function userExists(userId: string): Promise<boolean> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.user(userId), ConsistentRead: true }));
  return Item !== undefined;
}

/** Everything in the DLQ right now (the emulator returns at most 10 per call). */
async function drainDeadLetters(): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

describe('processor: events it does not model', () => {
  it('acknowledges them as ignored and writes nothing', async () => {
    const { handler, outcomes } = handlerWith();
    const userId = `user_2${randomUUID().slice(0, 8)}`;
    const unknown: HistoryEvent = { svixId: `msg_${randomUUID()}`, event: sampleEvent('email.created', { userId, at: T0 }) };
    const response = await handler(sqsEventOf([sqsRecordOf(unknown)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toEqual([expect.objectContaining({ result: 'ignored', eventType: 'email.created', svixId: unknown.svixId })]);
    expect(await userExists(userId)).toBe(false);
  });
});

describe('processor: messages that can never succeed', () => {
  it('sends them to the DLQ at once, labelled, and applies the rest of the batch', async () => {
    await drainDeadLetters();
    const { handler, outcomes } = handlerWith();
    const good = [userCreated(), userCreated()];
    const notJson = sqsRecordWithBody('{"version":1,"svixId":"msg_x", ...');
    const wrongVersion = sqsRecordWithBody(
      JSON.stringify({ version: 3, svixId: 'msg_v3', svixTimestamp: 1, receivedAt: 'x', event: sampleEvent('user.created') }),
    );
    const missingField = sqsRecordOf({
      svixId: 'msg_missing_user_id',
      event: withData(sampleEvent('session.created', { at: T0 }), { user_id: null }),
    });
    const records = [sqsRecordOf(good[0]!.delivery), notJson, wrongVersion, missingField, sqsRecordOf(good[1]!.delivery)];

    const response = await handler(sqsEventOf(records));

    expect(response.batchItemFailures).toEqual([]);
    expect(await userExists(good[0]!.userId)).toBe(true);
    expect(await userExists(good[1]!.userId)).toBe(true);
    const byMessage = new Map(outcomes.map((outcome) => [outcome.messageId, outcome]));
    expect(byMessage.get(notJson.messageId)).toMatchObject({ result: 'dead-lettered', reason: expect.stringContaining('not valid JSON') });
    expect(byMessage.get(missingField.messageId)).toMatchObject({ result: 'dead-lettered', svixId: 'msg_missing_user_id' });

    const deadLetters = await drainDeadLetters();
    expect(deadLetters).toHaveLength(3);
    const bySource = new Map(
      deadLetters.map((message) => [message.MessageAttributes?.sourceMessageId?.StringValue, message]),
    );
    const notJsonLetter = bySource.get(notJson.messageId);
    expect(notJsonLetter?.Body).toBe(notJson.body);
    expect(notJsonLetter?.MessageAttributes?.errorReason?.StringValue).toBe('MalformedMessageError: body is not valid JSON');
    expect(notJsonLetter?.MessageAttributes).not.toHaveProperty('svixId');

    const wrongVersionLetter = bySource.get(wrongVersion.messageId);
    expect(wrongVersionLetter?.Body).toBe(wrongVersion.body);
    expect(wrongVersionLetter?.MessageAttributes?.svixId?.StringValue).toBe('msg_v3');
    expect(wrongVersionLetter?.MessageAttributes?.eventType?.StringValue).toBe('user.created');

    const missingFieldLetter = bySource.get(missingField.messageId);
    expect(missingFieldLetter?.MessageAttributes?.errorReason?.StringValue).toBe(
      'MalformedEventError: session.created: data.user_id is missing or not a non-empty string',
    );
    expect(missingFieldLetter?.MessageAttributes?.eventType?.StringValue).toBe('session.created');
  });

  it('dead-letters a queued body nested deeper than the bound with its reason, labelled from the message attributes, and applies a v1 message', async () => {
    await drainDeadLetters();
    const { handler, outcomes } = handlerWith();
    const deepBody = `{"type":"user.updated","data":{"id":"user_2deep","m":${'['.repeat(4_200)}${']'.repeat(4_200)}}}`;
    // Queued as the verifier queues bytes (a verifier before the depth bound would have sent it).
    const deep = sqsRecordWithBody(
      queuedMessageBody({ svixId: 'msg_deep', svixTimestamp: 1, receivedAt: 'x', raw: Buffer.from(deepBody), text: deepBody, eventType: 'user.updated' }),
    );
    deep.messageAttributes = { eventType: { dataType: 'String', stringValue: 'user.updated', stringListValues: [], binaryListValues: [] } };
    // What verifiers queued before v2: the event as an object.
    const old = userCreated();
    const v1 = sqsRecordWithBody(JSON.stringify({ version: 1, svixId: old.delivery.svixId, svixTimestamp: 1, receivedAt: 'x', event: old.delivery.event }));

    const response = await handler(sqsEventOf([deep, v1]));

    expect(response.batchItemFailures).toEqual([]);
    expect(await userExists(old.userId)).toBe(true);
    const reason = 'MalformedMessageError: queued webhook body nests objects and arrays deeper than 128 levels';
    expect(outcomes.find((outcome) => outcome.messageId === deep.messageId)).toMatchObject({ result: 'dead-lettered', reason });
    const [letter] = await drainDeadLetters();
    expect(letter?.MessageAttributes?.errorReason?.StringValue).toBe(reason);
    expect(letter?.MessageAttributes?.svixId?.StringValue).toBe('msg_deep');
    expect(letter?.MessageAttributes?.eventType?.StringValue).toBe('user.updated');
    expect(letter?.Body).toBe(deep.body);
  });

  it('dead-letters an event DynamoDB rejects as invalid (an item over 400 KB)', async () => {
    await drainDeadLetters();
    const { handler, outcomes } = handlerWith();
    const huge: HistoryEvent = {
      svixId: `msg_${randomUUID()}`,
      event: withData(sampleEvent('user.created', { userId: `user_2${randomUUID().slice(0, 8)}`, at: T0 }), {
        first_name: 'x'.repeat(410 * 1024),
      }),
    };
    const response = await handler(sqsEventOf([sqsRecordOf(huge)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toEqual([
      expect.objectContaining({ result: 'dead-lettered', reason: expect.stringMatching(/^ValidationException: /) }),
    ]);
    const deadLetters = await drainDeadLetters();
    expect(deadLetters.map((message) => message.MessageAttributes?.svixId?.StringValue)).toEqual([huge.svixId]);
  });

  it('reports the record for retry when the DLQ cannot take it, so it is never lost', async () => {
    const brokenSqs = new SQSClient({ region: 'us-east-1' });
    mockClient(brokenSqs).on(SendMessageCommand).rejects(new Error('SQS is down'));
    const { handler, outcomes } = handlerWith({ sqs: brokenSqs });
    const notJson = sqsRecordWithBody('not json');
    const good = userCreated();

    const response = await handler(sqsEventOf([notJson, sqsRecordOf(good.delivery)]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: notJson.messageId }]);
    expect(outcomes.find((outcome) => outcome.messageId === notJson.messageId)).toMatchObject({ result: 'failed' });
    expect(await userExists(good.userId)).toBe(true);
  });
});

describe('processor: transient failures', () => {
  it('reports only the throttled record as a batch item failure; a redelivery then applies it', async () => {
    const faulty = localDocumentClient(localDynamoDb());
    const originalSend = faulty.send.bind(faulty);
    const throttled = userCreated();
    const others = [userCreated(), userCreated()];
    const mock = mockClient(faulty);
    type Send = typeof mock.send;
    const realSend = originalSend as unknown as (...args: Parameters<Send>) => ReturnType<Send>;
    mock.send.callsFake(async (command) => {
      if ((command.input as { Key?: { pk?: string } }).Key?.pk === keys.user(throttled.userId).pk) {
        throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
      }
      return realSend(command);
    });
    const { handler, outcomes } = handlerWith({ documentClient: faulty });
    const throttledRecord = sqsRecordOf(throttled.delivery);

    const response = await handler(sqsEventOf([sqsRecordOf(others[0]!.delivery), throttledRecord, sqsRecordOf(others[1]!.delivery)]));
    mock.restore();

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: throttledRecord.messageId }]);
    expect(outcomes.find((outcome) => outcome.messageId === throttledRecord.messageId)).toMatchObject({
      result: 'failed',
      reason: expect.stringContaining('ProvisionedThroughputExceededException'),
    });
    expect(await userExists(others[0]!.userId)).toBe(true);
    expect(await userExists(others[1]!.userId)).toBe(true);
    expect(await userExists(throttled.userId)).toBe(false);

    const retry = await handlerWith().handler(sqsEventOf([sqsRecordOf(throttled.delivery)]));
    expect(retry.batchItemFailures).toEqual([]);
    expect(await userExists(throttled.userId)).toBe(true);
  });

  it('returns every record as a failure, instead of throwing, when the whole batch fails', async () => {
    const down = localDocumentClient(localDynamoDb());
    const mock = mockClient(down);
    mock.rejects(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));
    const { handler } = handlerWith({ documentClient: down });
    const records = [sqsRecordOf(userCreated().delivery), sqsRecordOf(userCreated().delivery)];

    const response = await handler(sqsEventOf(records));
    mock.restore();

    expect(response.batchItemFailures).toEqual(records.map((record) => ({ itemIdentifier: record.messageId })));
  });
});

describe('processor: logs', () => {
  it('logs svix id as correlation id, type, entity and outcome, and no personal data', async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const writes = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const { handler } = handlerWith({ logger: new Logger({ serviceName: 'processor-test', logLevel: 'INFO' }) });
      const email = 'Private.Person@Example.com';
      const created = userCreated();
      const withEmail = { ...created.delivery, event: sampleEvent('user.created', { userId: created.userId, email, at: T0 }) };
      await handler(sqsEventOf([sqsRecordOf(withEmail), sqsRecordWithBody(JSON.stringify({ secret: email }))]));
    } finally {
      for (const write of writes) write.mockRestore();
    }
    const entries = lines.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({
        correlation_id: expect.stringMatching(/^msg_/),
        eventType: 'user.created',
        entityId: expect.stringMatching(/^user_2/),
        outcome: 'applied',
      }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ outcome: 'dead-lettered' }));
    expect(lines.join('')).not.toMatch(/private\.person|Private|Person/i);
  });
});
