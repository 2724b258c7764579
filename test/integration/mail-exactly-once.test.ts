import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { createNotifierHandler } from '../../lambdas/notifier/create-notifier-handler';
import type { MailSender, OutgoingMail } from '../../lambdas/notifier/mail-sender';
import { NOTIFIER_DEFAULTS } from '../../lambdas/notifier/notifier-config';
import type { MailOutcome } from '../../lambdas/notifier/notifier-deps';
import { RecordingSender } from '../support/recording-sender';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { toEpochMillis, type ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { createLedgerTable, createQueues, createTable, latestStreamArn } from '../../local/create-resources';
import {
  type DiscardedStreamBatch,
  type RunningDynamoDbStreamSource,
  startDynamoDbStreamSource,
  type StreamFailureMessage,
} from '../../local/dynamodb-stream-source';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { deliverInBatches } from '../support/deliver-in-batches';
import { localDocumentClient, localDynamoDb, localSqs, localStreams, uniqueName } from '../support/local-clients';
import { propertyRuns } from '../support/property-runs';
import {
  deliveriesArbitrary,
  describeEvents,
  historyArbitrary,
  historyFeatures,
  type HistoryEvent,
  isPrimaryVerified,
  readComparableTable,
} from '../support/random-history';

/*
 * The acceptance test of issue 6: side effects exactly once. Random valid histories, shuffled
 * and duplicated, go through the real processor into a table with a stream, while the stream
 * source runs the real notifier on it (with a sender that records instead of mailing); then
 * the whole stream is replayed from TRIM_HORIZON through a second source. How the history
 * ends (read from the history, and checked against the table the processor ends with, which
 * the property test proves equal to in-order delivery; docs/consistency.md) says what must
 * have been mailed:
 * - exactly one welcome per user that ends live with a verified primary email, sent by the
 *   live pass;
 * - exactly one admin welcome per membership that ends as a live admin membership of such a
 *   user, sent by the live pass;
 * - never two mails with one ledger key, replay included (at most one welcome per user, one
 *   admin welcome per membership, whatever else happened), and only mails for users and
 *   admin memberships of the history, to an address that was the user's verified primary;
 * - nothing at all for a user whose primary address is never verified in the history.
 * Users sign up with unverified addresses, get them verified later, and change to new
 * unverified ones (test/support/random-history.ts), so the welcome's "once the address is
 * verified" and the pending admin welcomes are exercised in every run.
 * Every history ends with a new user, organization and admin membership, so every run expects
 * both kinds; their shuffles often deliver the membership before its user (the pending path).
 *
 * To replay a failure: FC_SEED=<seed> FC_PATH=<path> npx jest test/integration/mail-exactly-once.test.ts
 * (the interleaving of processor batches and the stream is not seeded). FC_NUM_RUNS runs more.
 */

const RUNS = propertyRuns(15);
const ADMIN_ROLES = NOTIFIER_DEFAULTS.adminRoles;
/** Histories happen from 2024-05-29 on; the notifier lives a few days later, so nothing is a backfill. */
const CLOCK_OFFSET = Date.now() - Date.UTC(2024, 5, 1);
const clock = () => Date.now() - CLOCK_OFFSET;

const dynamodb: DynamoDBClient = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs: SQSClient = localSqs();
const streams = localStreams();
let deadLetterQueueUrl: string;
let queueUrl: string;
const sources: RunningDynamoDbStreamSource[] = [];

beforeAll(async () => {
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('mail-exactly-once')));
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
  streams.destroy();
});

const silent = new Logger({ logLevel: 'SILENT' });

function processorFor(tableName: string) {
  return createProcessorHandler({ documentClient, sqs, tableName, deadLetterQueueUrl, queueUrl, now: clock, logger: silent });
}

interface Tables {
  readonly syncTable: string;
  readonly ledgerTable: string;
  readonly streamArn: string;
}

async function createMailTables(prefix: string): Promise<Tables> {
  const syncTable = uniqueName(prefix);
  const ledgerTable = `${syncTable}-mail-ledger`;
  await Promise.all([createTable(dynamodb, syncTable, { stream: true }), createLedgerTable(dynamodb, ledgerTable)]);
  return { syncTable, ledgerTable, streamArn: await latestStreamArn(dynamodb, syncTable) };
}

function startNotifierSource(
  tables: Tables,
  sender: MailSender,
  outcomes: MailOutcome[],
  discarded: DiscardedStreamBatch[],
  extra: { failureQueueUrl?: string; onRecords?: (records: DynamoDBRecord[]) => void } = {},
): RunningDynamoDbStreamSource {
  const notifier = createNotifierHandler({
    documentClient,
    tableName: tables.syncTable,
    ledgerTableName: tables.ledgerTable,
    sender,
    now: clock,
    logger: silent,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const source = startDynamoDbStreamSource({
    streams,
    streamArn: tables.streamArn,
    awsRegion: 'us-east-1',
    handler: (event) => {
      extra.onRecords?.(event.Records);
      return notifier(event);
    },
    pollIntervalMs: 10,
    retryBackoffMs: 1,
    ...(extra.failureQueueUrl ? { onFailureDestination: { sqs, queueUrl: extra.failureQueueUrl } } : {}),
    onDiscarded: (batch) => discarded.push(batch),
  });
  sources.push(source);
  return source;
}

/** The history plus a new user, organization and admin membership after its last event. */
function withAdminTrio(history: HistoryEvent[]): HistoryEvent[] {
  const lastAt = Math.max(...history.map(({ event }) => toEpochMillis(event.timestamp ?? 0)));
  const tag = 'trioadmin';
  const ids = { userId: `user_2${tag}`, orgId: `org_2${tag}`, membershipId: `orgmem_2${tag}`, email: 'Trio.Admin@Example.com' };
  const trio: ClerkEventEnvelope[] = [
    sampleEvent('user.created', { ...ids, at: lastAt + 1000 }),
    sampleEvent('organization.created', { ...ids, at: lastAt + 2000 }),
    sampleEvent('organizationMembership.created', { ...ids, at: lastAt + 3000 }),
  ];
  return [...history, ...trio.map((event, index) => ({ svixId: `msg_2${tag}${index}`, event }))];
}

interface Ending {
  /** Users that end live, with a verified primary email (every generated user has a primary). */
  readonly liveUsers: string[];
  /** Memberships that end live with an admin role, of such a user. */
  readonly liveAdminMemberships: string[];
}

/** What the history leaves, by Clerk's semantics: deletions are terminal and cascade to memberships. */
function howItEnds(history: readonly HistoryEvent[]): Ending {
  const users = new Map<string, 'alive' | 'deleted'>();
  const verified = new Map<string, boolean>();
  const deletedOrganizations = new Set<string>();
  const memberships = new Map<string, { userId: string; orgId: string; role: string; deleted: boolean }>();
  for (const { event } of history) {
    const id = String(event.data.id);
    switch (event.type) {
      case 'user.created':
      case 'user.updated':
        if (users.get(id) !== 'deleted') users.set(id, 'alive');
        verified.set(id, isPrimaryVerified(event));
        break;
      case 'user.deleted':
        users.set(id, 'deleted');
        break;
      case 'organization.deleted':
        deletedOrganizations.add(id);
        break;
      case 'organizationMembership.created':
      case 'organizationMembership.updated':
      case 'organizationMembership.deleted': {
        const userId = (event.data.public_user_data as { user_id: string }).user_id;
        const orgId = (event.data.organization as { id: string }).id;
        const deleted = event.type === 'organizationMembership.deleted' || memberships.get(id)?.deleted === true;
        memberships.set(id, { userId, orgId, role: String(event.data.role), deleted });
        break;
      }
    }
  }
  const liveUsers = [...users].filter(([userId, status]) => status === 'alive' && verified.get(userId) === true).map(([userId]) => userId);
  const liveAdminMemberships = [...memberships]
    .filter(([, m]) => !m.deleted && ADMIN_ROLES.includes(m.role) && liveUsers.includes(m.userId) && !deletedOrganizations.has(m.orgId))
    .map(([membershipId]) => membershipId);
  return { liveUsers: liveUsers.sort(), liveAdminMemberships: liveAdminMemberships.sort() };
}

/** The same, read from a final table. */
function howTheTableEnds(items: readonly Record<string, unknown>[]): Ending {
  const liveUsers = items
    .filter((item) => item.type === 'user' && item.deleted !== true && typeof item.email === 'string' && item.emailVerified === true)
    .map((item) => String(item.id));
  const liveAdminMemberships = items
    .filter((item) => item.type === 'membership' && item.deleted !== true && ADMIN_ROLES.includes(String(item.role)) && liveUsers.includes(String(item.userId)))
    .map((item) => String(item.id));
  return { liveUsers: liveUsers.sort(), liveAdminMemberships: liveAdminMemberships.sort() };
}

/**
 * The addresses that were each user's verified primary at some point, lower-cased: a mail may
 * go to the one current when it was sent, and to no other. A user without one is never mailed.
 */
function verifiedPrimariesByUser(history: readonly HistoryEvent[]): Map<string, Set<string>> {
  const addresses = new Map<string, Set<string>>();
  for (const { event } of history) {
    if (event.type !== 'user.created' && event.type !== 'user.updated') continue;
    if (!isPrimaryVerified(event)) continue;
    const userId = String(event.data.id);
    const set = addresses.get(userId) ?? new Set<string>();
    const data = event.data as { primary_email_address_id: string; email_addresses: Array<{ id: string; email_address: string }> };
    set.add(data.email_addresses.find((entry) => entry.id === data.primary_email_address_id)!.email_address.toLowerCase());
    addresses.set(userId, set);
  }
  return addresses;
}

/** Membership ids that were an admin membership of that user at some point of the history. */
function adminMembershipsInHistory(history: readonly HistoryEvent[]): Map<string, string> {
  const memberships = new Map<string, string>();
  for (const { event } of history) {
    if (event.type !== 'organizationMembership.created' && event.type !== 'organizationMembership.updated') continue;
    if (!ADMIN_ROLES.includes(String(event.data.role))) continue;
    memberships.set(String(event.data.id), String((event.data.public_user_data as { user_id: string }).user_id));
  }
  return memberships;
}

function ledgerKeyOf(mail: Pick<OutgoingMail, 'kind' | 'userId' | 'membershipId'>): string {
  return mail.kind === 'welcome' ? ledgerKeys.welcome(mail.userId).pk : ledgerKeys.adminWelcome(mail.membershipId!).pk;
}

async function scanLedger(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ConsistentRead: true })) items.push(...(page.Items ?? []));
  return items;
}

it('mails exactly one welcome per user and one admin welcome per admin membership, whatever the order, duplicates and stream replays', async () => {
  let runs = 0;
  const scenario = historyArbitrary({ minCommands: 10, maxCommands: 25 })
    .chain((history) =>
      fc.record({
        history: fc.constant(history),
        deliveries: deliveriesArbitrary(history),
        batchSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
        inFlight: fc.integer({ min: 1, max: 3 }),
        /** Where the trio's deliveries go, and whether each is duplicated. */
        trioPlacement: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      }),
    )
    .map((run) =>
      Object.assign(run, {
        [fc.toStringMethod]: () =>
          `history:\n${describeEvents(run.history)}\ndeliveries (batches ${run.batchSizes.join(',')}, ${run.inFlight} in flight, ` +
          `trio placed at ${run.trioPlacement.join(',')}):\n${describeEvents(run.deliveries)}`,
      }),
    );

  await fc.assert(
    fc.asyncProperty(scenario, async ({ history: generated, deliveries: generatedDeliveries, batchSizes, inFlight, trioPlacement }) => {
      runs += 1;
      // Guaranteed by the generator: every history holds an address that is not verified (yet).
      expect(historyFeatures(generated).unverifiedAddresses).toBeGreaterThan(0);
      const history = withAdminTrio(generated);
      // The trio joins the shuffle anywhere, each event once or twice.
      const deliveries = [...generatedDeliveries];
      for (const [index, event] of history.slice(generated.length).entries()) {
        const [first = 0, second = 0] = trioPlacement.slice(index * 2);
        deliveries.splice(first % (deliveries.length + 1), 0, event);
        if (second % 2 === 1) deliveries.splice(second % (deliveries.length + 1), 0, event);
      }

      const tables = await createMailTables('mail-shuffled');

      const sender = new RecordingSender();
      const mails = sender.sent;
      const outcomes: MailOutcome[] = [];
      const discarded: DiscardedStreamBatch[] = [];
      const live = startNotifierSource(tables, sender, outcomes, discarded);
      await deliverInBatches(processorFor(tables.syncTable), deliveries, batchSizes, inFlight);
      await live.caughtUp();
      await live.stop();
      const sentLive = mails.length;

      // The whole stream again, as after a restart or an event source reset: nothing goes out twice.
      const replay = startNotifierSource(tables, sender, outcomes, discarded);
      await replay.caughtUp();
      await replay.stop();

      expect(outcomes.filter((outcome) => outcome.result === 'failed')).toEqual([]);
      expect(discarded).toEqual([]);

      const { liveUsers, liveAdminMemberships } = howItEnds(history);
      expect(howTheTableEnds(await readComparableTable(documentClient, tables.syncTable))).toEqual({ liveUsers, liveAdminMemberships });
      expect(liveUsers.length).toBeGreaterThan(0);
      expect(liveAdminMemberships.length).toBeGreaterThan(0);

      // Exactly once for what ends live, by the live pass alone; never twice for anything, replay included.
      const keys = mails.map(ledgerKeyOf);
      expect(keys.length).toBe(new Set(keys).size);
      const liveKeys = keys.slice(0, sentLive);
      // The replay reads the final table: nothing left to send, not even for what ended deleted or demoted.
      expect(mails.slice(sentLive)).toEqual([]);
      for (const userId of liveUsers) {
        const key = ledgerKeys.welcome(userId).pk;
        expect({ key, mails: liveKeys.filter((candidate) => candidate === key).length }).toEqual({ key, mails: 1 });
      }
      for (const membershipId of liveAdminMemberships) {
        const key = ledgerKeys.adminWelcome(membershipId).pk;
        expect({ key, mails: liveKeys.filter((candidate) => candidate === key).length }).toEqual({ key, mails: 1 });
      }

      // Every mail belongs to the history: a real user at an address that was their verified primary, a real admin membership of theirs.
      const addresses = verifiedPrimariesByUser(history);
      const adminMemberships = adminMembershipsInHistory(history);
      for (const mail of mails) {
        expect(addresses.get(mail.userId)?.has(mail.to.toLowerCase())).toBe(true);
        if (mail.kind === 'admin-welcome') expect(adminMemberships.get(mail.membershipId!)).toBe(mail.userId);
      }

      // The ledger records each of them as sent, and no claim is left hanging.
      const ledger = await scanLedger(tables.ledgerTable);
      const sent = ledger.filter((item) => item.status === 'sent').map((item) => String(item.pk));
      expect(sent.sort()).toEqual([...keys].sort());
      expect(ledger.filter((item) => item.status === 'sending')).toEqual([]);

    }),
    RUNS.parameters,
  );
  // fast-check stops early only on a failure, which throws above: every run happened.
  if (!RUNS.replay) expect(runs).toBe(RUNS.numRuns);
}, RUNS.timeoutMs);

it('retries a mail whose sender keeps failing, records nothing as sent, and ends with the batch in the on-failure queue', async () => {
  const tables = await createMailTables('mail-failing');
  const { QueueUrl: failureQueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${tables.syncTable}-notifier-failures` }));
  let attempts = 0;
  const failing: MailSender = {
    async send() {
      attempts += 1;
      throw new Error('MessageRejected: Email address is not verified');
    },
  };
  const outcomes: MailOutcome[] = [];
  const discarded: DiscardedStreamBatch[] = [];
  const delivered: DynamoDBRecord[] = [];
  const source = startNotifierSource(tables, failing, outcomes, discarded, {
    failureQueueUrl: failureQueueUrl!,
    onRecords: (records) => delivered.push(...records),
  });
  const userId = uniqueName('user_2failing').replace(/-/g, '');

  await deliverInBatches(processorFor(tables.syncTable), [{ svixId: `msg_${userId}`, event: sampleEvent('user.created', { userId, at: clock() }) }], [1]);
  await source.caughtUp();

  expect(attempts).toBe(1 + NOTIFIER_DEFAULTS.retryAttempts);
  expect(outcomes.map((outcome) => [outcome.kind, outcome.userId, outcome.result])).toEqual(
    Array.from({ length: attempts }, () => ['welcome', userId, 'failed']),
  );
  expect(delivered.every((record) => record.eventID === delivered[0]!.eventID)).toBe(true);
  expect(await scanLedger(tables.ledgerTable)).toEqual([]);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failureQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect(Messages).toHaveLength(1);
  const message = JSON.parse(Messages![0]!.Body!) as StreamFailureMessage;
  expect(message.requestContext).toEqual(
    expect.objectContaining({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 + NOTIFIER_DEFAULTS.retryAttempts }),
  );
  expect(message.DDBStreamBatchInfo).toEqual(
    expect.objectContaining({
      startSequenceNumber: delivered[0]!.dynamodb!.SequenceNumber,
      endSequenceNumber: delivered[0]!.dynamodb!.SequenceNumber,
      batchSize: 1,
      streamArn: tables.streamArn,
    }),
  );
  expect(discarded).toEqual([expect.objectContaining({ delivered: true, message })]);
});
