import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { KEY_PREFIX, keys, MEMBER_ORG_IDS_ATTRIBUTE } from '../../lambdas/shared/table-schema';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { readComparableTable, sqsEventOf, sqsRecordOf, type HistoryEvent } from '../support/random-history';

/**
 * DynamoDB failing part of a batch, the way the SDK raises it once its own retries are used up:
 * throttling, a server error, and timeouts both before and after the write reached the table.
 * Only the affected records may come back as batch item failures, and redelivering them must
 * end with exactly the table a clean run gives: nothing lost, nothing applied twice.
 */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const sqs = localSqs();
let deadLetterQueueUrl: string;
let queueUrl: string;

beforeAll(async () => {
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('failure-table')));
});

const at = (seconds: number) => T0 + seconds * 1000;
const delivery = (svixId: string, event: HistoryEvent['event']): HistoryEvent => ({ svixId, event });

/** A user with two sessions and a membership, so that deleting them has a cascade to finish. */
const SETUP: HistoryEvent[] = [
  delivery('msg_setup_user', sampleEvent('user.created', { userId: 'user_2foxtrot', email: 'f.one@example.com', at: at(0) })),
  delivery('msg_setup_s1', sampleEvent('session.created', { userId: 'user_2foxtrot', sessionId: 'sess_2foxa', at: at(1) })),
  delivery('msg_setup_s2', sampleEvent('session.created', { userId: 'user_2foxtrot', sessionId: 'sess_2foxb', at: at(2) })),
  delivery('msg_setup_org', sampleEvent('organization.created', { userId: 'user_2foxtrot', orgId: 'org_2golf', at: at(3) })),
  delivery(
    'msg_setup_member',
    sampleEvent('organizationMembership.created', {
      userId: 'user_2foxtrot',
      orgId: 'org_2golf',
      membershipId: 'orgmem_2golffox',
      at: at(4),
    }),
  ),
];

/** Ten events about disjoint entities, so which calls fail does not depend on how the batch interleaves. */
const BATCH: HistoryEvent[] = [
  delivery('msg_alpha', sampleEvent('user.created', { userId: 'user_2alpha', email: 'a.one@example.com', at: at(10) })),
  delivery('msg_bravo', sampleEvent('user.created', { userId: 'user_2bravo', email: 'b.one@example.com', at: at(11) })),
  delivery('msg_charlie', sampleEvent('organization.created', { userId: 'user_2alpha', orgId: 'org_2charlie', at: at(12) })),
  delivery(
    'msg_delta',
    sampleEvent('organizationMembership.created', {
      userId: 'user_2delta',
      orgId: 'org_2delta',
      membershipId: 'orgmem_2delta',
      at: at(13),
    }),
  ),
  delivery('msg_foxtrot_deleted', sampleEvent('user.deleted', { userId: 'user_2foxtrot', at: at(14) })),
  delivery('msg_echo', sampleEvent('session.created', { userId: 'user_2echo', sessionId: 'sess_2echo', at: at(15) })),
  delivery('msg_hotel', sampleEvent('user.created', { userId: 'user_2hotel', email: 'h.one@example.com', at: at(16) })),
  delivery('msg_golf_updated', sampleEvent('organization.updated', { userId: 'user_2foxtrot', orgId: 'org_2golf', at: at(17) })),
  delivery('msg_india_email', sampleEvent('email.created', { userId: 'user_2india', email: 'i.one@example.com', at: at(18) })),
  delivery('msg_juliet', sampleEvent('session.ended', { userId: 'user_2juliet', sessionId: 'sess_2juliet', at: at(19) })),
];

const timeout = (): Error => Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });

interface Fault {
  /** Which event the fault hits, for the expectations. */
  readonly svixId: string;
  /** Matches the DynamoDB call to fail: command name and a marker in its input. */
  readonly command: RegExp;
  readonly marker: string;
  readonly error: () => Error;
  /** The write reached the table and only the answer was lost. */
  readonly afterWrite?: boolean;
}

const FAULTS: Fault[] = [
  {
    svixId: 'msg_alpha',
    command: /./,
    marker: keys.user('user_2alpha').pk,
    error: () => new ThrottlingException({ message: 'Throughput exceeds the current capacity of your table', $metadata: {} }),
  },
  {
    svixId: 'msg_bravo',
    command: /^(Put|Update)Command$/,
    marker: keys.user('user_2bravo').pk,
    error: timeout,
    afterWrite: true,
  },
  {
    svixId: 'msg_charlie',
    command: /^(Put|Update)Command$/,
    marker: keys.organization('org_2charlie').pk,
    error: () =>
      new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput was exceeded', $metadata: {} }),
  },
  {
    svixId: 'msg_delta',
    command: /./,
    marker: keys.membership('org_2delta', 'user_2delta').sk,
    error: () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
  },
  {
    // Half-way through the user's cascade: the tombstone is written, the sessions' batched delete times out.
    svixId: 'msg_foxtrot_deleted',
    command: /^BatchWriteCommand$/,
    // Either of the user's sessions, sess_2foxa or sess_2foxb: whichever the cascade deletes first.
    marker: `${KEY_PREFIX.session}sess_2fox`,
    error: timeout,
  },
];

/** A document client on DynamoDB Local that fails each fault's first matching call, once. */
function faultyDocumentClient(faults: readonly Fault[] = FAULTS): { client: DynamoDBDocumentClient; injected: string[]; restore: () => void } {
  const client = localDocumentClient(localDynamoDb());
  const realSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const pending = new Set(faults);
  const injected: string[] = [];
  const mock = mockClient(client);
  const fake = async (command: { constructor: { name: string }; input: unknown }) => {
    const input = JSON.stringify(command.input);
    const fault = [...pending].find((candidate) => candidate.command.test(command.constructor.name) && input.includes(candidate.marker));
    if (fault === undefined) return realSend(command);
    pending.delete(fault);
    injected.push(fault.svixId);
    if (fault.afterWrite) await realSend(command);
    throw fault.error();
  };
  mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
  return { client, injected, restore: () => mock.restore() };
}

function processorOn(documentClient: DynamoDBDocumentClient, tableName: string, outcomes: RecordOutcome[], readParentsFirst = true) {
  return createProcessorHandler({
    readParentsFirst,
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => at(60),
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
}

async function freshTableWithSetup(prefix: string): Promise<string> {
  const tableName = uniqueName(prefix);
  await createTable(localDynamoDb(), tableName);
  const setup = await processorOn(localDocumentClient(), tableName, [])(sqsEventOf(SETUP.map(sqsRecordOf)));
  expect(setup.batchItemFailures).toEqual([]);
  return tableName;
}

/** Lambda's SQS event source hands a redelivered message over with the same id and body and a higher receive count. */
function redelivered(record: SQSRecord): SQSRecord {
  const count = Number(record.attributes.ApproximateReceiveCount) + 1;
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } };
}

describe('processor under DynamoDB throttling, server errors and timeouts', () => {
  it('fails only the affected records of a batch of 10; redelivering them gives the clean run\'s table, nothing applied twice', async () => {
    const documentClient = localDocumentClient();
    const cleanTable = await freshTableWithSetup('failure-clean');
    const cleanOutcomes: RecordOutcome[] = [];
    const clean = await processorOn(documentClient, cleanTable, cleanOutcomes)(sqsEventOf(BATCH.map(sqsRecordOf)));
    expect(clean.batchItemFailures).toEqual([]);

    const faultyTable = await freshTableWithSetup('failure-faulty');
    const records = BATCH.map(sqsRecordOf);
    const svixIdOf = new Map(records.map((record, index) => [record.messageId, BATCH[index]!.svixId]));
    const faulty = faultyDocumentClient();
    const firstOutcomes: RecordOutcome[] = [];
    let first: SQSBatchResponse;
    try {
      first = await processorOn(faulty.client, faultyTable, firstOutcomes)(sqsEventOf(records));
    } finally {
      faulty.restore();
    }

    // Every fault fired, and exactly the records they hit are reported for retry.
    const faultedIds = FAULTS.map((fault) => fault.svixId);
    expect([...faulty.injected].sort()).toEqual([...faultedIds].sort());
    const failedSvixIds = first.batchItemFailures.map((failure) => svixIdOf.get(failure.itemIdentifier));
    expect(failedSvixIds.sort()).toEqual([...faultedIds].sort());
    const firstBySvixId = new Map(firstOutcomes.map((outcome) => [outcome.svixId, outcome]));
    expect(Object.fromEntries(FAULTS.map((fault) => [fault.svixId, firstBySvixId.get(fault.svixId)?.reason?.split(':')[0]]))).toEqual({
      msg_alpha: 'ThrottlingException',
      msg_bravo: 'TimeoutError',
      msg_charlie: 'ProvisionedThroughputExceededException',
      msg_delta: 'InternalServerError',
      msg_foxtrot_deleted: 'TimeoutError',
    });
    // The rest of the batch went through once, as in the clean run.
    const cleanBySvixId = new Map(cleanOutcomes.map((outcome) => [outcome.svixId, outcome.result]));
    for (const { svixId } of BATCH.filter((event) => !faultedIds.includes(event.svixId))) {
      expect([svixId, firstBySvixId.get(svixId)?.result]).toEqual([svixId, cleanBySvixId.get(svixId)]);
    }

    // SQS redelivers only the reported records; the table is healthy again.
    const retryOutcomes: RecordOutcome[] = [];
    const failedIds = new Set(first.batchItemFailures.map((failure) => failure.itemIdentifier));
    const retry = await processorOn(documentClient, faultyTable, retryOutcomes)(
      sqsEventOf(records.filter((record) => failedIds.has(record.messageId)).map(redelivered)),
    );
    expect(retry.batchItemFailures).toEqual([]);
    expect(Object.fromEntries(retryOutcomes.map((outcome) => [outcome.svixId, outcome.result]))).toEqual({
      msg_alpha: 'applied',
      // The write landed before the timeout: the redelivery recognises its own event.
      msg_bravo: 'duplicate',
      msg_charlie: 'applied',
      msg_delta: 'applied',
      // The tombstone was written; the redelivery only finishes the cascade.
      msg_foxtrot_deleted: 'duplicate',
    });

    expect(await readComparableTable(documentClient, faultyTable)).toEqual(await readComparableTable(documentClient, cleanTable));
  });
});

describe('a child written by an attempt that failed before its parent check', () => {
  it.each([
    ['reading the parents before the write (as with change events)', true],
    ['checking the parents after the write only (the default)', false],
  ])("is removed by the event's retry once its user is deleted, though the user's cascade could not see it: %s", async (_mode, readParentsFirst) => {
    const documentClient = localDocumentClient();
    const tableName = uniqueName('failure-orphan');
    await createTable(localDynamoDb(), tableName);
    const setup = await processorOn(documentClient, tableName, [])(
      sqsEventOf([
        sqsRecordOf(delivery('msg_kilo_user', sampleEvent('user.created', { userId: 'user_2kilo', email: 'k.one@example.com', at: at(0) }))),
        sqsRecordOf(delivery('msg_kilo_org', sampleEvent('organization.created', { userId: 'user_2kilo', orgId: 'org_2lima', at: at(1) }))),
      ]),
    );
    expect(setup.batchItemFailures).toEqual([]);

    // The membership is written; its registration on the user (memberOrgIds, which the user's
    // cascade reads) fails, so the event is retried later.
    const joined = sqsRecordOf(
      delivery('msg_kilo_joined', sampleEvent('organizationMembership.created', { userId: 'user_2kilo', orgId: 'org_2lima', membershipId: 'orgmem_2kilo', at: at(2) })),
    );
    const faulty = faultyDocumentClient([
      {
        svixId: 'msg_kilo_joined',
        command: /^UpdateCommand$/,
        marker: MEMBER_ORG_IDS_ATTRIBUTE,
        error: () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
      },
    ]);
    let first: SQSBatchResponse;
    try {
      first = await processorOn(faulty.client, tableName, [], readParentsFirst)(sqsEventOf([joined]));
    } finally {
      faulty.restore();
    }
    expect(faulty.injected).toEqual(['msg_kilo_joined']);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: joined.messageId }]);
    const membershipKey = keys.membership('org_2lima', 'user_2kilo');
    const read = async () => (await documentClient.send(new GetCommand({ TableName: tableName, Key: membershipKey, ConsistentRead: true }))).Item;
    expect(await read()).toEqual(expect.objectContaining({ id: 'orgmem_2kilo' }));

    // The user is deleted before the retry: its cascade finds no registration of this membership.
    const deleted = await processorOn(documentClient, tableName, [])(
      sqsEventOf([sqsRecordOf(delivery('msg_kilo_deleted', sampleEvent('user.deleted', { userId: 'user_2kilo', at: at(3) })))]),
    );
    expect(deleted.batchItemFailures).toEqual([]);

    const retryOutcomes: RecordOutcome[] = [];
    const retry = await processorOn(documentClient, tableName, retryOutcomes, readParentsFirst)(sqsEventOf([redelivered(joined)]));
    expect(retry.batchItemFailures).toEqual([]);
    expect(retryOutcomes).toEqual([expect.objectContaining({ svixId: 'msg_kilo_joined', result: 'stale', reason: 'user deleted' })]);
    // As in-order delivery leaves it: no membership under a deleted user.
    expect(await read()).toBeUndefined();
  });
});
