import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { membershipItem } from '../../lambdas/processor/membership-item';
import { PROCESSOR_DEFAULTS } from '../../lambdas/processor/processor-config';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import type { ClerkOrganizationMembership } from '../../lambdas/shared/clerk-events';
import { sampleEvent, sampleMembership } from '../../lambdas/shared/sample-events';
import { keys, queries } from '../../lambdas/shared/table-schema';
import { PIPELINE_DEFAULTS } from '../../lib/pipeline-defaults';
import { createQueues, createTable } from '../../local/create-resources';
import { type SettledBatch, startSqsEventSource } from '../../local/sqs-event-source';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { queuedBodyOf } from '../support/random-history';
import { readItem } from '../support/table-reads';

/*
 * Issue 14, item 8: one organization.deleted with 20,000 members, through the real processor
 * handler driven by the local SQS event source (Lambda's contract: batches of 10, partial batch
 * responses, redelivery, DLQ after maxReceiveCount) on DynamoDB Local and the SQS emulator.
 * Every invocation gets Lambda's clock (the processor's 30 s timeout). The cascade must stay
 * within its budget per receive, continue in new messages without reaching the DLQ (it needs
 * more receives than maxReceiveCount allows one message), leave its neighbours in the first
 * batch alone, and end with no member left.
 */

const MEMBERS = 20_000;
const AT = Date.UTC(2024, 5, 1);
const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const silent = new Logger({ logLevel: 'SILENT' });

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
});

/**
 * Counts the deletes a document client sends (DeleteItem calls, and the delete requests of
 * BatchWriteItem calls): an observer on the real client, nothing replaced.
 */
function countDeletes(client: DynamoDBDocumentClient): { readonly count: () => number } {
  let deletes = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The document client's commands run as the DynamoDB client's (DeleteItem, BatchWriteItem).
      if (context.commandName === 'DeleteCommand' || context.commandName === 'DeleteItemCommand') deletes += 1;
      if (context.commandName === 'BatchWriteCommand' || context.commandName === 'BatchWriteItemCommand') {
        const { RequestItems } = args.input as { RequestItems: Record<string, { DeleteRequest?: unknown }[]> };
        deletes += Object.values(RequestItems).flat().filter((request) => request.DeleteRequest !== undefined).length;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countDeletes' },
  );
  return { count: () => deletes };
}

/** 20,000 membership items under one organization, as the processor writes them, in batch writes. */
async function seedMembers(tableName: string, orgId: string): Promise<void> {
  const items = Array.from({ length: MEMBERS }, (_, index) => {
    const membership = sampleMembership(
      { orgId, userId: `user_2m${index}`, membershipId: `orgmem_2m${index}`, at: AT - 60_000, email: `m${index}@example.com` },
      'org:member',
    ) as unknown as ClerkOrganizationMembership;
    return membershipItem(membership, { version: AT - 60_000, lastEventId: `msg_seed${index}` });
  });
  const batches: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  const writer = async (): Promise<void> => {
    for (let batch = batches.pop(); batch !== undefined; batch = batches.pop()) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

async function membersLeft(tableName: string, orgId: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({ TableName: tableName, ...queries.organizationMembers(orgId), Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

async function queueCount(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}


it('deletes an organization of 20,000 members in bounded steps, never reaching the DLQ, its batch neighbours unaffected', async () => {
  const tableName = uniqueName('large-cascade');
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  const orgId = `org_2${tag}`;
  await createTable(dynamodb, tableName);
  const queues = await createQueues(sqs, uniqueName('large-cascade'));
  await seedMembers(tableName, orgId);
  expect(await membersLeft(tableName, orgId)).toBe(MEMBERS);

  // The deletion and nine neighbours, sent together so that they arrive as one batch.
  const deletion = { svixId: `msg_2del${tag}`, event: sampleEvent('organization.deleted', { orgId, at: AT }) };
  const neighbours = Array.from({ length: 9 }, (_, index) => ({
    svixId: `msg_2n${index}${tag}`,
    event: sampleEvent('user.created', { userId: `user_2n${index}${tag}`, email: `n${index}.${tag}@example.com`, at: AT }),
  }));
  const { Failed } = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queues.queueUrl,
      Entries: [deletion, ...neighbours].map(({ svixId, event }, index) => ({
        Id: String(index),
        // The verifier's format (QueuedEvent v2, the verified bytes); continuations copy it unchanged.
        MessageBody: queuedBodyOf(svixId, event, new Date(AT)),
        MessageAttributes: { svixId: { DataType: 'String', StringValue: svixId }, eventType: { DataType: 'String', StringValue: event.type } },
      })),
    }),
  );
  expect(Failed ?? []).toEqual([]);

  const outcomes: RecordOutcome[] = [];
  const deletes = countDeletes(documentClient);
  const deletesPerInvocation: number[] = [];
  const settled: SettledBatch[] = [];
  const processorTimeoutMs = PIPELINE_DEFAULTS.processorTimeout.toMilliseconds();
  // Lambda's contract, invocation by invocation: the function's clock, and a whole-batch failure past its timeout.
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deadline = Date.now() + processorTimeoutMs;
    const before = deletes.count();
    const invocation = createProcessorHandler({
      documentClient,
      sqs,
      tableName,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      queueUrl: queues.queueUrl,
      now: () => AT + 60_000,
      logger: silent,
      remainingTimeMs: () => deadline - Date.now(),
      onOutcome: (outcome) => outcomes.push(outcome),
    })(event);
    const response = await invocation;
    deletesPerInvocation.push(deletes.count() - before);
    if (Date.now() > deadline) throw new Error(`the invocation ran past the ${processorTimeoutMs} ms timeout`);
    return response;
  };

  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const source = startSqsEventSource({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:large-cascade',
    awsRegion: 'us-east-1',
    handler,
    batchSize: PIPELINE_DEFAULTS.batchSize,
    // One invocation at a time, so each one's deletes can be counted.
    concurrency: 1,
    waitTimeSeconds: 1,
    maxBatchingWindowMs: 200,
    onBatchSettled: (batch) => {
      settled.push(batch);
      const deletionDone = outcomes.some((outcome) => outcome.svixId === deletion.svixId && outcome.cascade === undefined && outcome.result !== 'failed');
      if (deletionDone) finished();
    },
  });
  try {
    await done;
  } finally {
    await source.stop();
  }

  // The first batch held the deletion and all its neighbours; each neighbour was applied once, at its first receive.
  expect(settled[0]!.records.map((record) => JSON.parse(record.body).svixId).sort()).toEqual(
    [deletion, ...neighbours].map(({ svixId }) => svixId).sort(),
  );
  expect(settled[0]!.retained).toEqual([]);
  for (const neighbour of neighbours) {
    expect(outcomes.filter((outcome) => outcome.svixId === neighbour.svixId).map((outcome) => outcome.result)).toEqual(['applied']);
  }
  expect(settled.flatMap((batch) => batch.records).every((record) => record.attributes.ApproximateReceiveCount === '1')).toBe(true);

  // The deletion: applied once, then continued, each receive within its budget, until nothing was left.
  const ofDeletion = outcomes.filter((outcome) => outcome.svixId === deletion.svixId);
  const continued = ofDeletion.filter((outcome) => outcome.cascade === 'continued');
  expect(ofDeletion[0]).toEqual(expect.objectContaining({ result: 'applied', cascade: 'continued' }));
  expect(ofDeletion.slice(1).every((outcome) => outcome.result === 'duplicate')).toBe(true);
  expect(ofDeletion.filter((outcome) => outcome.result === 'failed')).toEqual([]);
  expect(continued.length).toBeGreaterThanOrEqual(MEMBERS / PROCESSOR_DEFAULTS.cascadeDeletesPerReceive - 1);
  // One message would have needed more receives than the queue allows before its DLQ.
  expect(ofDeletion.length).toBeGreaterThan(queues.maxReceiveCount);
  expect(Math.max(...deletesPerInvocation)).toBeLessThanOrEqual(PROCESSOR_DEFAULTS.cascadeDeletesPerReceive);
  expect(deletesPerInvocation.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(MEMBERS);

  expect(await membersLeft(tableName, orgId)).toBe(0);
  expect(await readItem(documentClient, tableName, keys.organization(orgId))).toEqual(expect.objectContaining({ deleted: true }));
  expect(await queueCount(queues.deadLetterQueueUrl)).toBe(0);
  expect(await queueCount(queues.queueUrl)).toBe(0);
}, 600_000);
