import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import { KEY_PREFIX, keys, PROFILE_SORT_KEY, queries } from '../../lambdas/shared/table-schema';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent, type SampleIds } from '../../lambdas/shared/sample-events';
import { freshIds } from '../support/fresh-ids';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { sqsEventOf, sqsRecordOf, type HistoryEvent } from '../support/random-history';
import { readItem, readQuery } from '../support/table-reads';

/*
 * docs/consistency.md: a child event (session, membership) reads its parents (with change events
 * on), writes its item (unless a parent is deleted), then checks them; a parent deletion writes its tombstone,
 * then cascades. Whatever the interleaving of the two in one concurrent batch, no child may be
 * left under a deleted parent. Random batches hit the narrow windows only by luck, so each test
 * here forces one: one step of one event is held until the other event has finished completely.
 * A test fails if its step is never held.
 */

const NOW = Date.UTC(2024, 5, 1);
const T0 = Date.UTC(2024, 4, 29);
const tableName = uniqueName('processor-races');
const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
let deadLetterQueueUrl: string;
let queueUrl: string;

beforeAll(async () => {
  await createTable(dynamodb, tableName);
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('processor-races')));
});

function event(type: string, ids: SampleIds, at: number): HistoryEvent {
  return { svixId: `msg_${randomUUID()}`, event: sampleEvent(type, { ...ids, at, createdAt: T0 }) };
}

/** A DynamoDB command as the processor sends it: the lib-dynamodb command class and its (unmarshalled) input. */
interface SentCommand {
  readonly name: string;
  readonly input: {
    readonly Item?: Record<string, unknown>;
    readonly Key?: { pk?: string; sk?: string };
    readonly UpdateExpression?: string;
    readonly ExpressionAttributeValues?: Record<string, unknown>;
  };
}

type Step = (command: SentCommand) => boolean;

/* The steps that can be held, named as in docs/consistency.md. */
const putOf =
  (prefix: string): Step =>
  ({ name, input }) =>
    name === 'PutCommand' && String(input.Item?.sk).startsWith(prefix);
const profileReadOf =
  (prefix: string): Step =>
  ({ name, input }) =>
    name === 'GetCommand' && String(input.Key?.pk).startsWith(prefix) && input.Key?.sk === PROFILE_SORT_KEY;
const updateSetting =
  (placeholder: string): Step =>
  ({ name, input }) =>
    name === 'UpdateCommand' && input.ExpressionAttributeValues?.[placeholder] !== undefined;
const childWrite: Step = (command) => putOf(KEY_PREFIX.session)(command) || putOf(KEY_PREFIX.member)(command);
/** A child reads its parents twice: before its write (nothing is written under a deleted parent) and after it (the check). */
const profileRead =
  (prefix: string, when: 'before' | 'after') =>
  (): Step => {
    let written = false;
    return (command) => {
      written ||= childWrite(command);
      return written === (when === 'after') && profileReadOf(prefix)(command);
    };
  };
const always = (step: Step) => (): Step => step;

/** Each a fresh step per race: the read steps follow which commands went before. */
const STEPS = {
  membershipWrite: always(putOf(KEY_PREFIX.member)),
  sessionWrite: always(putOf(KEY_PREFIX.session)),
  /** Every membership event: records the organization on the user's profile unless the user is deleted. */
  membershipRegistration: always(updateSetting(':orgIds')),
  /** session.created: raises lastSeenAt unless the user is deleted. */
  lastSeenAtRaise: always(updateSetting(':lastSeenAt')),
  userPreCheck: profileRead(KEY_PREFIX.user, 'before'),
  organizationPreCheck: profileRead(KEY_PREFIX.organization, 'before'),
  userCheck: profileRead(KEY_PREFIX.user, 'after'),
  organizationCheck: profileRead(KEY_PREFIX.organization, 'after'),
  userTombstone: always(updateSetting(':deletedAt')),
  organizationTombstone: always(({ name, input }) => name === 'PutCommand' && input.Item?.deleted === true && input.Item?.sk === PROFILE_SORT_KEY),
} satisfies Record<string, () => Step>;
type StepName = keyof typeof STEPS;

/**
 * A document client that holds every command matching `step` until `release` resolves, and calls
 * `onHeld` when it holds one. Held through `send`, which the processor's commands and paginators
 * all go through.
 */
function holdingClient(step: Step, release: Promise<void>, onHeld: () => void = () => undefined): { client: DynamoDBDocumentClient; held: () => number } {
  const client = localDocumentClient(dynamodb);
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  let held = 0;
  const holding = async (command: { constructor: { name: string }; input: SentCommand['input'] }) => {
    if (step({ name: command.constructor.name, input: command.input })) {
      held += 1;
      onHeld();
      await release;
    }
    return send(command);
  };
  Object.assign(client, { send: holding });
  return { client, held: () => held };
}

function handlerFor(documentClient: DynamoDBDocumentClient, onOutcome: (outcome: RecordOutcome) => void, readParentsFirst = true) {
  return createProcessorHandler({
    readParentsFirst,
    documentClient,
    sqs,
    tableName,
    deadLetterQueueUrl,
    queueUrl,
    now: () => NOW,
    logger: new Logger({ logLevel: 'SILENT' }),
    onOutcome,
  });
}

/** In order, each in its own invocation, without holding anything. */
async function deliver(...deliveries: HistoryEvent[]): Promise<void> {
  const handler = handlerFor(documentClient, () => undefined);
  for (const delivery of deliveries) {
    expect((await handler(sqsEventOf([sqsRecordOf(delivery)]))).batchItemFailures).toEqual([]);
  }
}

/**
 * Delivers `held` and `other` concurrently, as two records of one batch are processed: every step
 * of `held` before `step` first, then all of `other`, then `step` and the rest of `held`. (`other`
 * waits until `held` reaches its step, so a read before it, such as the check of the parents
 * before a child's write, never sees `other`'s effect.) Returns the outcomes by svix id.
 */
async function race(held: HistoryEvent, step: StepName, other: HistoryEvent, readParentsFirst: boolean): Promise<Map<string, RecordOutcome>> {
  let otherDone!: () => void;
  const release = new Promise<void>((resolve) => (otherDone = resolve));
  let stepReached!: () => void;
  const reached = new Promise<void>((resolve) => (stepReached = resolve));
  const outcomes = new Map<string, RecordOutcome>();
  const record = (outcome: RecordOutcome) => void outcomes.set(outcome.svixId!, outcome);
  const { client, held: timesHeld } = holdingClient(STEPS[step](), release, stepReached);
  const { client: otherClient } = holdingClient(() => true, reached);
  const [heldResponse, otherResponse] = await Promise.all([
    // Never reaching the step must not leave `other` waiting: the test then fails on timesHeld below.
    handlerFor(client, record, readParentsFirst)(sqsEventOf([sqsRecordOf(held)])).finally(stepReached),
    handlerFor(otherClient, record, readParentsFirst)(sqsEventOf([sqsRecordOf(other)])).finally(otherDone),
  ]);
  expect([heldResponse.batchItemFailures, otherResponse.batchItemFailures]).toEqual([[], []]);
  expect(timesHeld()).toBeGreaterThan(0);
  return outcomes;
}

const item = (key: { pk: string; sk: string }) => readItem(documentClient, tableName, key);
const sessionsOf = (userId: string) => readQuery(documentClient, tableName, queries.userSessions(userId));

/** The pre-checks exist only when the processor reads the parents before the write. */
const preChecks = (readParentsFirst: boolean) => (rows: [string, StepName][]) =>
  rows.filter(([, step]) => readParentsFirst || !step.endsWith('PreCheck'));

describe.each([
  ['reading the parents before the write (as with change events)', true],
  ['checking the parents after the write only (the default)', false],
])('%s', (_mode, readParentsFirst) => {
  const applicableSteps = preChecks(readParentsFirst);

  describe('a membership and its user\'s deletion in one batch leave no membership, whatever the interleaving', () => {
    it.each<[string, StepName]>(
      applicableSteps([
        ['organizationMembership.created', 'membershipWrite'],
        ['organizationMembership.created', 'membershipRegistration'],
        ['organizationMembership.updated', 'membershipRegistration'],
        ['organizationMembership.deleted', 'membershipWrite'],
        ['organizationMembership.deleted', 'membershipRegistration'],
        ['organizationMembership.created', 'userPreCheck'],
        ['organizationMembership.deleted', 'userPreCheck'],
      ]),
    )('%s held at its %s until user.deleted is done', async (type, step) => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0), event('organization.created', ids, T0));
      const child = event(type, ids, T0 + 10);
      const deletion = event('user.deleted', ids, T0 + 100);

      const outcomes = await race(child, step, deletion, readParentsFirst);

      expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
      expect(await item(keys.user(ids.userId))).toMatchObject({ deleted: true });
      expect(outcomes.get(child.svixId)).toMatchObject({ result: 'stale', reason: 'user deleted' });
      expect(outcomes.get(deletion.svixId)).toMatchObject({ result: 'applied' });
    });

    it('user.deleted held at its tombstone until organizationMembership.created is done', async () => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0), event('organization.created', ids, T0));
      const child = event('organizationMembership.created', ids, T0 + 10);

      await race(event('user.deleted', ids, T0 + 100), 'userTombstone', child, readParentsFirst);

      expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
    });
  });

  describe('a membership and its organization\'s deletion in one batch leave no membership, whatever the interleaving', () => {
    it.each<[string, StepName]>(
      applicableSteps([
        ['organizationMembership.created', 'membershipWrite'],
        ['organizationMembership.created', 'organizationCheck'],
        ['organizationMembership.deleted', 'membershipWrite'],
        ['organizationMembership.deleted', 'organizationCheck'],
        ['organizationMembership.updated', 'organizationPreCheck'],
      ]),
    )('%s held at its %s until organization.deleted is done', async (type, step) => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0), event('organization.created', ids, T0));
      const child = event(type, ids, T0 + 10);
      const deletion = event('organization.deleted', ids, T0 + 100);

      const outcomes = await race(child, step, deletion, readParentsFirst);

      expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
      expect(await item(keys.organization(ids.orgId))).toMatchObject({ deleted: true });
      expect(outcomes.get(child.svixId)).toMatchObject({ result: 'stale', reason: 'organization deleted' });
    });

    it('organization.deleted held at its tombstone until organizationMembership.created is done', async () => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0), event('organization.created', ids, T0));

      const deletion = event('organization.deleted', ids, T0 + 100);
      await race(deletion, 'organizationTombstone', event('organizationMembership.created', ids, T0 + 10), readParentsFirst);

      expect(await item(keys.membership(ids.orgId, ids.userId))).toBeUndefined();
    });
  });

  describe('a session and its user\'s deletion in one batch leave no session, whatever the interleaving', () => {
    it.each<[string, StepName]>(
      applicableSteps([
        ['session.created', 'sessionWrite'],
        ['session.created', 'lastSeenAtRaise'],
        ['session.ended', 'sessionWrite'],
        ['session.revoked', 'userCheck'],
        ['session.created', 'userPreCheck'],
        ['session.removed', 'userPreCheck'],
      ]),
    )('%s held at its %s until user.deleted is done', async (type, step) => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0));
      const child = event(type, ids, T0 + 10);
      const deletion = event('user.deleted', ids, T0 + 100);

      const outcomes = await race(child, step, deletion, readParentsFirst);

      expect(await sessionsOf(ids.userId)).toEqual([]);
      expect(await item(keys.user(ids.userId))).toEqual(expect.not.objectContaining({ lastSeenAt: expect.anything() }));
      expect(outcomes.get(child.svixId)).toMatchObject({ result: 'stale', reason: 'user deleted' });
    });

    it('user.deleted held at its tombstone until session.created is done', async () => {
      const ids = freshIds();
      await deliver(event('user.created', ids, T0));

      await race(event('user.deleted', ids, T0 + 100), 'userTombstone', event('session.created', ids, T0 + 10), readParentsFirst);

      expect(await sessionsOf(ids.userId)).toEqual([]);
    });
  });
});
