import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { applyOrganizationDeleted } from '../../lambdas/processor/apply-organization-deleted';
import { applyUserDeleted } from '../../lambdas/processor/apply-user-deleted';
import { CASCADE_CONTINUATION_ATTRIBUTE } from '../../lambdas/processor/continue-cascade';
import { createProcessorHandler, type ProcessorDeps } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { sampleEvent, type SampleIds } from '../../lambdas/shared/sample-events';
import { keys, MEMBER_ORG_IDS_ATTRIBUTE, queries } from '../../lambdas/shared/table-schema';
import { createQueues, createTable } from '../../local/create-resources';
import { deliverInBatches } from '../support/deliver-in-batches';
import { freshIds } from '../support/fresh-ids';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { type HistoryEvent, sqsEventOf, sqsRecordOf } from '../support/random-history';
import { readItem, readQuery } from '../support/table-reads';

/*
 * A user's or an organization's deletion does a bounded share of its cascade per receive
 * (docs/consistency.md, "Large cascades"): the appliers say whether the cascade is complete,
 * and the handler continues an incomplete one in a new message on its own queue.
 */

const T0 = Date.UTC(2024, 4, 29);
const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const tableName = uniqueName('cascade-continuation');
let queueUrl: string;
let deadLetterQueueUrl: string;

beforeAll(async () => {
  await createTable(dynamodb, tableName);
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('cascade-continuation')));
});

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
});

function event(type: string, ids: SampleIds, at: number): HistoryEvent {
  return { svixId: `msg_${randomUUID()}`, event: sampleEvent(type, { ...ids, at }) };
}

function handler(outcomes: RecordOutcome[], overrides: Partial<ProcessorDeps> = {}) {
  return createProcessorHandler({
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => T0 + 86_400_000,
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
    ...overrides,
  });
}

/** A user with `sessions` sessions and memberships in `organizations` organizations. */
async function userWithChildren(sessions: number, organizations: number) {
  const ids = freshIds();
  const orgIds = Array.from({ length: organizations }, (_, index) => `${ids.orgId}o${index}`);
  const children = [
    event('user.created', ids, T0),
    ...Array.from({ length: sessions }, (_, index) => event('session.created', { ...ids, sessionId: `${ids.sessionId}s${index}` }, T0 + 10 + index)),
    ...orgIds.map((orgId, index) => event('organizationMembership.created', { ...ids, orgId, membershipId: `${ids.membershipId}m${index}` }, T0 + 100 + index)),
  ];
  await deliverInBatches(handler([]), children, [10]);
  return { ids, orgIds };
}

const sessionsOf = (userId: string) => readQuery(documentClient, tableName, queries.userSessions(userId));
const membershipsOf = (orgIds: readonly string[], userId: string) =>
  Promise.all(orgIds.map((orgId) => readItem(documentClient, tableName, keys.membership(orgId, userId)))).then((items) => items.filter(Boolean));

describe('the deletion appliers report whether their cascade is complete', () => {
  const context = (maxDeletes?: number) => ({
    documentClient,
    tableName,
    svixId: `msg_${randomUUID()}`,
    nowMillis: T0 + 86_400_000,
    tombstoneTtlDays: 30,
    readParentsFirst: false,
    ...(maxDeletes === undefined ? {} : { cascade: { maxDeletes, remainingTimeMs: () => 30_000, timeReserveMs: 15_000 } }),
  });

  it('user.deleted: false while sessions or memberships are left, true once the last call removed the rest', async () => {
    const { ids, orgIds } = await userWithChildren(5, 4);
    const deletion = context(4);
    const calls = [];
    for (let call = 0; call < 5; call += 1) calls.push(await applyUserDeleted(deletion, ids.userId, T0 + 1000, T0 + 1000));
    // 9 children, 4 per call: the third call finishes; later calls find nothing and say so.
    expect(calls.map((result) => [result.result, result.cascadeComplete])).toEqual([
      ['applied', false],
      ['duplicate', false],
      ['duplicate', true],
      ['duplicate', true],
      ['duplicate', true],
    ]);
    expect(await sessionsOf(ids.userId)).toEqual([]);
    expect(await membershipsOf(orgIds, ids.userId)).toEqual([]);
    // The list of organizations is emptied as their memberships go, so nothing is left to find.
    expect(await readItem(documentClient, tableName, keys.user(ids.userId))).not.toHaveProperty(MEMBER_ORG_IDS_ATTRIBUTE);
  });

  it('organization.deleted: the same, and without a budget everything goes in one call', async () => {
    const ids = freshIds();
    const members = Array.from({ length: 7 }, (_, index) =>
      event('organizationMembership.created', { ...ids, userId: `${ids.userId}u${index}`, membershipId: `${ids.membershipId}m${index}` }, T0 + index),
    );
    await deliverInBatches(handler([]), [event('organization.created', ids, T0), ...members], [10]);
    const bounded = context(3);
    expect((await applyOrganizationDeleted(bounded, ids.orgId, T0 + 1000, T0 + 1000)).cascadeComplete).toBe(false);
    expect(await readQuery(documentClient, tableName, queries.organizationMembers(ids.orgId))).toHaveLength(4);
    expect(await applyOrganizationDeleted(context(), ids.orgId, T0 + 1000, T0 + 1000)).toEqual({ result: 'stale', cascadeComplete: true });
    expect(await readQuery(documentClient, tableName, queries.organizationMembers(ids.orgId))).toEqual([]);
  });

  it('a cascade that runs short of time stops after its first round, which always runs', async () => {
    const { ids } = await userWithChildren(30, 0);
    const result = await applyUserDeleted(
      { ...context(), cascade: { maxDeletes: 1_000, remainingTimeMs: () => 10_000, timeReserveMs: 15_000 } },
      ids.userId,
      T0 + 1000,
      T0 + 1000,
    );
    expect(result.cascadeComplete).toBe(false);
    // The first round (25 deletes) ran; the second would have started with less than the reserve left.
    expect(await sessionsOf(ids.userId)).toHaveLength(5);
  });
});

describe('the handler continues an incomplete cascade in a new message', () => {
  it('acknowledges the record, sends the same body with a continuation count, and the continuations finish the cascade', async () => {
    const { ids, orgIds } = await userWithChildren(6, 3);
    const deletion = event('user.deleted', ids, T0 + 1000);
    const outcomes: RecordOutcome[] = [];
    const bounded = handler(outcomes, { cascadeDeletesPerReceive: 4 });

    const record = sqsRecordOf(deletion);
    expect((await bounded(sqsEventOf([record]))).batchItemFailures).toEqual([]);
    expect(outcomes).toEqual([expect.objectContaining({ svixId: deletion.svixId, result: 'applied', cascade: 'continued' })]);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages[0]!.Body).toBe(record.body);
    expect(Messages[0]!.MessageAttributes).toEqual({
      [CASCADE_CONTINUATION_ATTRIBUTE]: expect.objectContaining({ DataType: 'Number', StringValue: '1' }),
    });

    // The continuations, delivered as Lambda would: 9 children, 4 per receive.
    await deliverInBatches(bounded, [], [10], 1, { sqs, queueUrl });
    expect(outcomes.map((outcome) => [outcome.result, outcome.cascade])).toEqual([
      ['applied', 'continued'],
      ['duplicate', 'continued'],
      ['duplicate', undefined],
    ]);
    expect(await sessionsOf(ids.userId)).toEqual([]);
    expect(await membershipsOf(orgIds, ids.userId)).toEqual([]);
  });

  it('reports the record as failed when the continuation cannot be sent; the work done stays done', async () => {
    const { ids } = await userWithChildren(8, 0);
    const deletion = sqsRecordOf(event('user.deleted', ids, T0 + 1000));
    const outcomes: RecordOutcome[] = [];
    const unreachable = new SQSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    try {
      const response = await handler(outcomes, { cascadeDeletesPerReceive: 5, sqs: unreachable })(sqsEventOf([deletion]));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: deletion.messageId }]);
    } finally {
      unreachable.destroy();
    }
    expect(outcomes).toEqual([expect.objectContaining({ result: 'failed', reason: expect.stringMatching(/^CascadeContinuationError: /) })]);
    expect(await sessionsOf(ids.userId)).toHaveLength(3);
  });
});
