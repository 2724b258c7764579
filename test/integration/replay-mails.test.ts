import { DynamoDBStreamsClient, GetShardIteratorCommand, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RecordingSender } from '../support/recording-sender';
import { createNotifierHandler } from '../../lambdas/notifier/create-notifier-handler';
import type { MailSender } from '../../lambdas/notifier/mail-sender';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { MailSendError } from '../../lambdas/shared/errors';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { createLedgerTable, createQueues, createTable, latestStreamArn } from '../../local/create-resources';
import { type DiscardedStreamBatch, startDynamoDbStreamSource, type StreamFailureMessage } from '../../local/dynamodb-stream-source';
import { createMailboxMailSender } from '../../lambdas/notifier/mailbox-mail-sender';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import {
  parseFailureMessage,
  readReplayMailsOptions,
  replayMails,
  type ReplayMailsClients,
  type ReplayMailsOptions,
  ReplayMailsUsageError,
} from '../../scripts/replay-mails';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';
import { sqsEventOf, sqsRecordOf } from '../support/random-history';

/*
 * `npm run replay-mails` against DynamoDB Local and the SQS emulator. Every scenario starts
 * the real way: the processor applies a user, an organization and an admin membership; the
 * local stream source runs the real notifier with a sender that always fails and gives up
 * after one retry, so Lambda's on-failure record of the batch lands in the failure queue.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const AWS_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ClerkWebhookSync-MailFailureQueue';
const FROM = 'Acme <welcome@acme.example>';

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const streams = new DynamoDBStreamsClient({
  endpoint: process.env.DYNAMODB_ENDPOINT!,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const silent = new Logger({ logLevel: 'SILENT' });
const temporaryDirs: string[] = [];
let deadLetterQueueUrl: string;
let eventQueueUrl: string;

beforeAll(async () => {
  ({ queueUrl: eventQueueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('replay-mails')));
});

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
  streams.destroy();
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

interface Scenario {
  readonly tableName: string;
  readonly ledgerTableName: string;
  readonly queueUrl: string;
  readonly userId: string;
  readonly orgId: string;
  readonly membershipId: string;
  readonly email: string;
  /** The on-failure message the stream source sent, as it sits in the queue. */
  readonly body: string;
  readonly message: StreamFailureMessage;
}

const alwaysFailing: MailSender = {
  async send() {
    throw new MailSendError('SES did not accept the mail: MessageRejected', 'MessageRejected');
  },
};

async function failedBatch(): Promise<Scenario> {
  const tableName = uniqueName('replay-mails');
  const ledgerTableName = `${tableName}-mail-ledger`;
  const [, , { QueueUrl: queueUrl }] = await Promise.all([
    createTable(dynamodb, tableName, { stream: true }),
    createLedgerTable(dynamodb, ledgerTableName),
    sqs.send(new CreateQueueCommand({ QueueName: `${tableName}-notifier-failures` })),
  ]);
  const streamArn = await latestStreamArn(dynamodb, tableName);

  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  const ids = { userId: `user_2${tag}`, orgId: `org_2${tag}`, membershipId: `orgmem_2${tag}`, email: `ada.${tag}@example.com`, at: Date.now() - 60_000 };
  const processor = createProcessorHandler({ documentClient, sqs, tableName, deadLetterQueueUrl, queueUrl: eventQueueUrl, now: Date.now, logger: silent });
  for (const [index, type] of ['user.created', 'organization.created', 'organizationMembership.created'].entries()) {
    const event = sampleEvent(type, { ...ids, at: ids.at + index });
    const response = await processor(sqsEventOf([sqsRecordOf({ svixId: `msg_${tag}${index}`, event })]));
    expect(response.batchItemFailures).toEqual([]);
  }

  // Started after the writes: the whole change history is one batch from TRIM_HORIZON.
  const discarded: DiscardedStreamBatch[] = [];
  const source = startDynamoDbStreamSource({
    streams,
    streamArn,
    awsRegion: 'us-east-1',
    handler: createNotifierHandler({ documentClient, tableName, ledgerTableName, sender: alwaysFailing, now: Date.now, logger: silent }),
    retryAttempts: 1,
    retryBackoffMs: 1,
    pollIntervalMs: 10,
    onFailureDestination: { sqs, queueUrl: queueUrl! },
    onDiscarded: (batch) => discarded.push(batch),
  });
  await source.caughtUp();
  await source.stop();
  expect(discarded).toHaveLength(1);
  expect(discarded[0]!.delivered).toBe(true);

  const [queued] = await drain(queueUrl!);
  const body = queued!.Body!;
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl!, MessageBody: body }));
  return { tableName, ledgerTableName, queueUrl: queueUrl!, userId: ids.userId, orgId: ids.orgId, membershipId: ids.membershipId, email: ids.email, body, message: JSON.parse(body) as StreamFailureMessage };
}

/** Receives everything (hiding it for a minute); what is returned is no longer visible. */
async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

function optionsFor(scenario: Scenario, extra: string[] = []): ReplayMailsOptions {
  const options = readReplayMailsOptions(
    ['--failure-queue-url', scenario.queueUrl, '--table', scenario.tableName, '--ledger-table', scenario.ledgerTableName, '--from', FROM, ...extra],
    { AWS_REGION: 'us-east-1' },
  );
  if (options === 'help') throw new Error('unexpected help');
  return options;
}

function clientsWith(sender: MailSender, overrides: Partial<ReplayMailsClients> = {}): ReplayMailsClients {
  return { sqs, dynamoDb: dynamodb, streams, sender, logger: silent, ...overrides };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), waitTimeSeconds: 0, emptyPagePauseMs: 1 } };
}

async function ledger(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ConsistentRead: true })) items.push(...(page.Items ?? []));
  return items;
}

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'replay-mails-'));
  temporaryDirs.push(dir);
  return dir;
}

describe('replay-mails options', () => {
  const usageError = (argv: string[]) => {
    try {
      readReplayMailsOptions(argv, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ReplayMailsUsageError);
      return (error as Error).message;
    }
    throw new Error('expected a usage error');
  };
  const required = ['--failure-queue-url', AWS_QUEUE, '--table', 'ClerkSync-Table', '--ledger-table', 'ClerkSync-Ledger', '--from', FROM];

  it('reads the stack outputs from the flags, and the region from the queue URL', () => {
    expect(readReplayMailsOptions([...required, '--admin-roles', 'org:admin, org:owner', '--app-name=Acme', '--dry-run'], {})).toEqual({
      failureQueue: { url: AWS_QUEUE },
      tableName: 'ClerkSync-Table',
      ledgerTableName: 'ClerkSync-Ledger',
      from: FROM,
      appName: 'Acme',
      adminRoles: ['org:admin', 'org:owner'],
      dryRun: true,
      discardExpired: false,
      region: 'eu-west-1',
      local: false,
      verbose: false,
    });
    expect(readReplayMailsOptions([...required, '--endpoint-url', 'http://127.0.0.1:8000', '--mailbox-dir', 'out'], { AWS_REGION: 'us-east-2' })).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
      mailboxDir: path.resolve('out'),
      region: 'us-east-2',
    });
    expect(readReplayMailsOptions(['--help', '--bogus'], {})).toBe('help');
  });

  it('--local finds what npm start creates', () => {
    expect(readReplayMailsOptions(['--local'], { TABLE_NAME: 'my.table', SQS_PORT: '19324' })).toMatchObject({
      failureQueue: { name: 'my-table-events-notifier-failures' },
      tableName: 'my.table',
      ledgerTableName: 'my.table-mail-ledger',
      mailboxDir: path.resolve('.local/mailbox'),
      endpoint: 'http://127.0.0.1:8000',
      sqsEndpoint: 'http://127.0.0.1:19324',
      region: 'us-east-1',
      local: true,
    });
  });

  it('explains what is wrong, without echoing the sender address', () => {
    expect(usageError([])).toBe(
      "missing --failure-queue-url (stack output MailFailureQueueUrl), --table (stack output TableName), --ledger-table (stack output LedgerTableName), --from (the stack's sender address); --local for npm start; see --help",
    );
    expect(usageError(['--failure-queue-url', 'sqs/queue'])).toBe('--failure-queue-url "sqs/queue" is not a URL');
    expect(usageError(['--endpoint-url', 'ftp://host'])).toBe('--endpoint-url "ftp://host" is not an http(s) URL');
    expect(usageError(['--from', 'not-an-address.example'])).toBe('--from must be an address, name@domain or "Name <name@domain>"');
    expect(usageError(['--table', 'a'])).toBe('--table must be a table name (3 to 255 letters, digits, "_", "-" or "."), got "a"');
    expect(usageError(['--admin-roles', 'org:admin,,'])).toBe('--admin-roles has an empty entry: "org:admin,,"');
    expect(usageError(['--welcome-max-age-days', '0'])).toBe('--welcome-max-age-days must be a positive integer, got "0"');
    expect(usageError(['--table', '--dry-run'])).toBe('--table needs a value');
    expect(usageError([...required.slice(0, 4), '--ledger-table', 'ClerkSync-Table', '--from', FROM])).toBe('--table and --ledger-table name the same table');
    expect(usageError(['--replay'])).toBe('unknown option "--replay"; see --help');
  });
});

describe("Lambda's on-failure record", () => {
  const valid: StreamFailureMessage = {
    requestContext: { requestId: 'a', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier', condition: 'RecordAgeExceeded', approximateInvokeCount: 0 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: '2024-06-05T18:22:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001717611600000-0a1b2c3d',
      startSequenceNumber: '1100000000017611600000001',
      endSequenceNumber: '1100000000017611600000009',
      approximateArrivalOfFirstRecord: '2024-06-05T12:21:49Z',
      approximateArrivalOfLastRecord: '2024-06-05T12:21:50Z',
      batchSize: 3,
      streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/ClerkSync-Table/stream/2024-06-01T00:00:00.000',
    },
  };
  const invalid = (body: string) => {
    try {
      parseFailureMessage(body);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected an invalid message');
  };
  const withInfo = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, DDBStreamBatchInfo: { ...valid.DDBStreamBatchInfo, ...patch } });

  it('reads the range, the table and region of the stream, the condition and the times', () => {
    expect(parseFailureMessage(JSON.stringify(valid))).toEqual({
      shardId: 'shardId-00000001717611600000-0a1b2c3d',
      startSequenceNumber: '1100000000017611600000001',
      endSequenceNumber: '1100000000017611600000009',
      batchSize: 3,
      streamArn: valid.DDBStreamBatchInfo.streamArn,
      tableName: 'ClerkSync-Table',
      region: 'eu-west-1',
      condition: 'RecordAgeExceeded',
      timestamp: '2024-06-05T18:22:00.000Z',
      approximateArrivalOfFirstRecord: '2024-06-05T12:21:49Z',
    });
  });

  it('says what is wrong with anything else', () => {
    expect(invalid('{"DDBStreamBatchInfo":')).toBe('the body is not JSON');
    expect(invalid('[]')).toBe('the body is not a JSON object');
    expect(invalid(JSON.stringify({ KinesisBatchInfo: { shardId: 'x' } }))).toBe('a Kinesis batch record, not a DynamoDB stream one');
    expect(invalid(JSON.stringify({ requestPayload: {}, responsePayload: {} }))).toBe('an asynchronous invocation record, not a DynamoDB stream batch');
    expect(invalid(withInfo({ shardId: undefined }))).toBe('DDBStreamBatchInfo.shardId is missing');
    expect(invalid(withInfo({ endSequenceNumber: '12ab' }))).toBe('DDBStreamBatchInfo.endSequenceNumber is not valid ("12ab")');
    expect(invalid(withInfo({ streamArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' }))).toBe(
      'DDBStreamBatchInfo.streamArn is not valid ("arn:aws:sqs:eu-west-1:123456789012:queue")',
    );
    expect(invalid(withInfo({ batchSize: 0 }))).toBe('DDBStreamBatchInfo.batchSize is not valid (0)');
    expect(invalid(withInfo({ startSequenceNumber: '1100000000017611600000010' }))).toBe(
      'the range starts after it ends (1100000000017611600000010 > 1100000000017611600000009)',
    );
  });
});

describe('replay-mails against DynamoDB Local and the SQS emulator', () => {
  it('--dry-run lists the failure message with its range and readable records, and touches nothing', async () => {
    const scenario = await failedBatch();
    const sender = new RecordingSender();
    const { out, err, io: streamsIo } = io();

    expect(await replayMails(clientsWith(sender), optionsFor(scenario, ['--dry-run']), streamsIo)).toBe(0);

    const { shardId, startSequenceNumber, endSequenceNumber, batchSize, approximateArrivalOfFirstRecord } = scenario.message.DDBStreamBatchInfo;
    expect(batchSize).toBeGreaterThanOrEqual(3);
    expect(err).toEqual([]);
    expect(out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^message \\S+: RetryAttemptsExhausted at ${escape(scenario.message.timestamp)}; shard ${escape(shardId)}, sequence ${startSequenceNumber} to ${endSequenceNumber}, ` +
            `${batchSize} record\\(s\\) written from ${escape(approximateArrivalOfFirstRecord)} \\(\\d+s ago\\): ${batchSize} of ${batchSize} record\\(s\\) still readable$`,
        ),
      ),
      `1 failure message(s) in ${scenario.queueUrl}; dry run, nothing replayed or deleted (they are visible again).`,
    ]);
    expect(sender.calls).toBe(0);
    expect(await ledger(scenario.ledgerTableName)).toEqual([]);
    expect((await drain(scenario.queueUrl)).map((message) => message.Body)).toEqual([scenario.body]);
  });

  it('sends exactly the missing mails once and deletes the message; a second replay of it sends nothing', async () => {
    const scenario = await failedBatch();
    const mailboxDir = temporaryDir();
    const { out, err, io: streamsIo } = io();

    expect(await replayMails(clientsWith(createMailboxMailSender({ directory: mailboxDir, from: FROM })), optionsFor(scenario), streamsIo)).toBe(0);

    expect(err).toEqual([]);
    expect(out.filter((line) => line.startsWith('  '))).toEqual([
      `  welcome user ${scenario.userId}: sent`,
      `  admin-welcome user ${scenario.userId} membership ${scenario.membershipId} of ${scenario.orgId}: sent`,
    ]);
    expect(out.at(-2)).toMatch(/^message \S+: replayed \d+ record\(s\); deleted from the queue$/);
    expect(out.at(-1)).toBe('replay-mails: 1 failure message(s): 1 replayed and deleted; mails: 2 sent, 0 skipped, 0 failed');
    expect(out.join('\n')).not.toContain('@');
    const files = readdirSync(mailboxDir);
    expect(files).toHaveLength(2);
    expect(files).toEqual(
      expect.arrayContaining([expect.stringContaining(`_welcome_${scenario.userId}_`), expect.stringContaining(`_admin-welcome_${scenario.membershipId}_`)]),
    );
    for (const file of files) expect(readFileSync(path.join(mailboxDir, file), 'utf8')).toContain(`To: ${scenario.email}\r\n`);
    expect((await ledger(scenario.ledgerTableName)).filter((item) => item.status === 'sent').map((item) => item.pk).sort()).toEqual(
      [ledgerKeys.welcome(scenario.userId).pk, ledgerKeys.adminWelcome(scenario.membershipId).pk].sort(),
    );
    expect(await drain(scenario.queueUrl)).toEqual([]);

    // The same failure record once more (Lambda delivered it twice, or a delete was lost): the ledger skips both mails.
    await sqs.send(new SendMessageCommand({ QueueUrl: scenario.queueUrl, MessageBody: scenario.body }));
    const again = io();
    const sender = new RecordingSender();
    expect(await replayMails(clientsWith(sender), optionsFor(scenario), again.io)).toBe(0);
    expect(sender.calls).toBe(0);
    expect(again.out.filter((line) => line.startsWith('  '))).toEqual([
      `  welcome user ${scenario.userId}: skipped (already-sent)`,
      `  admin-welcome user ${scenario.userId} membership ${scenario.membershipId} of ${scenario.orgId}: skipped (already-sent)`,
    ]);
    expect(again.out.at(-1)).toBe('replay-mails: 1 failure message(s): 1 replayed and deleted; mails: 0 sent, 2 skipped, 0 failed');
    expect(await drain(scenario.queueUrl)).toEqual([]);

    // And an empty queue says so.
    const empty = io();
    expect(await replayMails(clientsWith(sender), optionsFor(scenario), empty.io)).toBe(0);
    expect(empty.out).toEqual([`${scenario.queueUrl} is empty; nothing to replay.`]);
  });

  it('a record failing again keeps the message (visible again), reports it, and exits 1', async () => {
    const scenario = await failedBatch();
    const { out, err, io: streamsIo } = io();

    expect(await replayMails(clientsWith(alwaysFailing), optionsFor(scenario), streamsIo)).toBe(1);

    const { startSequenceNumber, batchSize } = scenario.message.DDBStreamBatchInfo;
    expect(out.filter((line) => line.startsWith('  '))).toEqual([`  welcome user ${scenario.userId}: failed (MailSendError: MessageRejected)`]);
    expect(err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^replay-mails: message \\S+: stream record ${startSequenceNumber} \\(1 of ${batchSize}\\) failed again; the ${batchSize - 1} record\\(s\\) after it were not replayed; ` +
            'the message stays in the queue\\. Fix the cause',
        ),
      ),
    ]);
    expect(out.at(-1)).toBe('replay-mails: 1 failure message(s): 0 replayed and deleted, 1 kept (1 failed); mails: 0 sent, 0 skipped, 1 failed');
    expect(`${out.join('\n')}${err.join('\n')}`).not.toContain('@');
    expect(await ledger(scenario.ledgerTableName)).toEqual([]);
    expect((await drain(scenario.queueUrl)).map((message) => message.Body)).toEqual([scenario.body]);
  });

  it('reports and keeps messages it cannot use, and still replays the good one', async () => {
    const scenario = await failedBatch();
    const otherTable = JSON.parse(scenario.body) as StreamFailureMessage;
    const wrongTable = JSON.stringify({
      ...otherTable,
      DDBStreamBatchInfo: { ...otherTable.DDBStreamBatchInfo, streamArn: otherTable.DDBStreamBatchInfo.streamArn.replace(`table/${scenario.tableName}/`, 'table/another-table/') },
    });
    // A range whose end the open shard never reaches (no such record): not given up as expired, kept for a later try.
    const pastTheEnd = JSON.stringify({
      ...otherTable,
      DDBStreamBatchInfo: { ...otherTable.DDBStreamBatchInfo, endSequenceNumber: String(BigInt(otherTable.DDBStreamBatchInfo.endSequenceNumber) + 10n ** 12n) },
    });
    for (const body of ['{"not":"a failure record"}', wrongTable, pastTheEnd]) await sqs.send(new SendMessageCommand({ QueueUrl: scenario.queueUrl, MessageBody: body }));
    const sender = new RecordingSender();
    const { out, err, io: streamsIo } = io();

    expect(await replayMails(clientsWith(sender), optionsFor(scenario), streamsIo)).toBe(1);

    expect(err).toHaveLength(3);
    expect(err).toEqual(expect.arrayContaining([
      expect.stringMatching(/^replay-mails: message \S+ is for the stream of table "another-table", not --table "replay-mails-\w+"; it stays in the queue$/),
      expect.stringMatching(/^replay-mails: message \S+ is not Lambda's on-failure record of a DynamoDB stream batch \(no DDBStreamBatchInfo\); it stays in the queue$/),
      expect.stringMatching(
        /^replay-mails: message \S+: the range's last record was not reached after 20 empty reads of the open shard; shard \S+, sequence numbers \d+ to \d+ \(\d+ record\(s\)\); it stays in the queue, try again later$/,
      ),
    ]));
    expect(sender.sent.map((mail) => mail.kind).sort()).toEqual(['admin-welcome', 'welcome']);
    expect(out.at(-1)).toBe('replay-mails: 4 failure message(s): 1 replayed and deleted, 3 kept (2 failed, 1 not understood); mails: 2 sent, 0 skipped, 0 failed');
    expect((await drain(scenario.queueUrl)).map((message) => message.Body).sort()).toEqual(['{"not":"a failure record"}', wrongTable, pastTheEnd].sort());
  });

  it('records the stream no longer has: says which mails are lost and keeps the message, unless --discard-expired', async () => {
    const scenario = await failedBatch();
    const gone = JSON.parse(scenario.body) as StreamFailureMessage;
    const { startSequenceNumber, endSequenceNumber, batchSize } = gone.DDBStreamBatchInfo;
    // A shard that was trimmed away, as after 24 hours: the stream no longer lists it.
    const expiredShard = 'shardId-00000001000000000000-00000000';
    await drain(scenario.queueUrl);
    await sqs.send(new SendMessageCommand({ QueueUrl: scenario.queueUrl, MessageBody: JSON.stringify({ ...gone, DDBStreamBatchInfo: { ...gone.DDBStreamBatchInfo, shardId: expiredShard } }) }));
    const sender = new RecordingSender();
    const kept = io();

    expect(await replayMails(clientsWith(sender), optionsFor(scenario), kept.io)).toBe(1);

    expect(kept.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^replay-mails: message \\S+: the mails of shard ${expiredShard}, sequence numbers ${startSequenceNumber} to ${endSequenceNumber} \\(${batchSize} record\\(s\\)\\), written from \\S+ ` +
            'can no longer be replayed from the stream: the shard or the stream no longer exists \\(ResourceNotFoundException: .*\\); DynamoDB Streams keeps records 24 hours\\. ' +
            'The message stays in the queue; --discard-expired deletes it\\.$',
        ),
      ),
    ]);
    expect(kept.out.at(-1)).toBe('replay-mails: 1 failure message(s): 0 replayed and deleted, 1 kept (1 expired); mails: 0 sent, 0 skipped, 0 failed');
    expect(sender.calls).toBe(0);

    // Trimmed records inside a shard that still exists: the stream answers TrimmedDataAccessException.
    const trimmingStreams = new DynamoDBStreamsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const trimming = mockClient(trimmingStreams);
    trimming
      .on(GetShardIteratorCommand)
      .rejects(new TrimmedDataAccessException({ message: 'The operation attempted to read past the oldest stream record in a shard.', $metadata: {} }));
    const discarded = io();
    try {
      expect(await replayMails(clientsWith(sender, { streams: trimmingStreams }), optionsFor(scenario, ['--discard-expired']), discarded.io)).toBe(1);
    } finally {
      trimming.restore();
      trimmingStreams.destroy();
    }
    expect(discarded.err).toEqual([
      expect.stringContaining(
        'can no longer be replayed from the stream: the stream has trimmed these records (TrimmedDataAccessException); DynamoDB Streams keeps records 24 hours. The message is deleted (--discard-expired).',
      ),
    ]);
    expect(discarded.out.at(-1)).toBe('replay-mails: 1 failure message(s): 0 replayed and deleted, 1 expired and discarded; mails: 0 sent, 0 skipped, 0 failed');
    expect(await drain(scenario.queueUrl)).toEqual([]);
    expect(sender.calls).toBe(0);
  });

  it('npm run replay-mails replays through the mailbox with the endpoints from the flags', async () => {
    const scenario = await failedBatch();
    const mailboxDir = temporaryDir();
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/replay-mails.ts',
        ...['--failure-queue-url', scenario.queueUrl, '--table', scenario.tableName, '--ledger-table', scenario.ledgerTableName, '--from', FROM],
        ...['--mailbox-dir', mailboxDir, '--endpoint-url', process.env.DYNAMODB_ENDPOINT!, '--sqs-endpoint-url', process.env.SQS_ENDPOINT!],
      ],
      { cwd: ROOT, env: { ...process.env } },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain(`welcome user ${scenario.userId}: sent`);
    expect(stdout).toContain('replay-mails: 1 failure message(s): 1 replayed and deleted; mails: 2 sent, 0 skipped, 0 failed');
    expect(stdout).not.toContain('@');
    expect(readdirSync(mailboxDir)).toHaveLength(2);
    expect(await drain(scenario.queueUrl)).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
