import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { FakeClock, NotifierFixture } from '../support/notifier-fixture';
import { RecordingSender } from '../support/recording-sender';
import { MailSendError } from '../../lambdas/shared/errors';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { keys } from '../../lambdas/shared/table-schema';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { localDocumentClient } from '../support/local-clients';
import { streamEvent } from '../support/stream-records';

/*
 * Failures end with the record retried from where it failed: the claim released (or left to
 * expire), nothing after the record handled, and a retry that sends what is still owed.
 */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const NOW = T0 + 60 * 60 * 1000;
const LEASE_MS = 20_000;
let fixture: NotifierFixture;

beforeAll(async () => {
  fixture = await NotifierFixture.create('notifier-failures');
});
beforeEach(() => {
  fixture.outcomes.length = 0;
});

async function newUsers(count: number): Promise<{ userId: string; email: string; record: DynamoDBRecord }[]> {
  const users = [];
  for (let index = 0; index < count; index += 1) {
    const tag = randomUUID().replace(/-/g, '').slice(0, 10);
    const ids = { userId: `user_2${tag}`, email: `grace.hopper.${tag}@example.com` };
    const [record] = await fixture.apply(sampleEvent('user.created', { ...ids, at: T0 + index }), [keys.user(ids.userId)]);
    users.push({ ...ids, record: record! });
  }
  return users;
}

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const summary = () => fixture.outcomes.map(({ userId, result, reason }) => [userId, result, reason]);

/** A document client on DynamoDB Local whose calls matching `fails` throw `error` instead, `times` times. */
function throttlingClient(fails: (name: string, input: string) => boolean, times: number) {
  const client = localDocumentClient();
  const realSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const mock = mockClient(client);
  let remaining = times;
  const fake = async (command: { constructor: { name: string }; input: unknown }) => {
    if (remaining > 0 && fails(command.constructor.name, JSON.stringify(command.input))) {
      remaining -= 1;
      throw new ThrottlingException({ message: 'Throughput exceeds the current capacity of your table', $metadata: {} });
    }
    return realSend(command);
  };
  mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
  return { client: client as DynamoDBDocumentClient, restore: () => mock.restore() };
}

describe('notifier failures', () => {
  it('a failing sender: claim released, that record reported, the records after it untouched; the retry sends', async () => {
    const [first, failing, after] = await newUsers(3);
    // The first mail goes out, the second is rejected.
    const sender = new RecordingSender()
      .acceptNext()
      .failNext(() => new MailSendError('SES did not accept the mail: MessageRejected', 'MessageRejected'));
    const notifier = fixture.notifier({ sender, now: () => NOW });

    const response = await notifier(streamEvent([first!.record, failing!.record, after!.record]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(failing!.record) }] });
    expect(sender.calls).toBe(2);
    expect(sender.sent.map((mail) => mail.to)).toEqual([first!.email]);
    expect(summary()).toEqual([
      [first!.userId, 'sent', undefined],
      [failing!.userId, 'failed', 'MailSendError: MessageRejected'],
    ]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(failing!.userId).pk)).toBeUndefined();
    expect(await fixture.ledgerItem(ledgerKeys.welcome(after!.userId).pk)).toBeUndefined();

    // The event source retries from the failed record.
    const retry = await notifier(streamEvent([failing!.record, after!.record]));
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(sender.sent.map((mail) => mail.to)).toEqual([first!.email, failing!.email, after!.email]);
  });

  it('a send that outlives its claim is aborted before the lease ends, and the claim released', async () => {
    const [user] = await newUsers(1);
    const sender = new RecordingSender().hangNext();

    // The abort timer runs in real time: it fires at the lease's end minus the margin, 50 ms after the claim.
    const response = await fixture.notifier({ sender, now: () => NOW, leaseMs: 250, sendMarginMs: 200 })(streamEvent([user!.record]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(user!.record) }] });
    expect(summary()).toEqual([[user!.userId, 'failed', 'MailSendError: LeaseExpiring']]);
    expect(sender.sent).toEqual([]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(user!.userId).pk)).toBeUndefined();
  });

  it('claims nothing when the invocation has less than a lease of time left', async () => {
    const [user] = await newUsers(1);
    const sender = new RecordingSender();

    const response = await fixture.notifier({ sender, now: () => NOW, remainingTimeMs: () => LEASE_MS - 1 })(streamEvent([user!.record]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(user!.record) }] });
    expect(summary()).toEqual([[user!.userId, 'failed', expect.stringMatching(/^MailTimeBudgetError: /)]]);
    expect(sender.calls).toBe(0);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(user!.userId).pk)).toBeUndefined();
  });

  it('a throttled claim fails the record before anything is sent; the retry sends once', async () => {
    const [user] = await newUsers(1);
    const faulty = throttlingClient((name, input) => name === 'UpdateCommand' && input.includes('WELCOME#'), 1);
    const sender = new RecordingSender();
    let response;
    try {
      response = await fixture.notifier({ sender, now: () => NOW, documentClient: faulty.client })(streamEvent([user!.record]));
    } finally {
      faulty.restore();
    }

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(user!.record) }] });
    expect(summary()).toEqual([[user!.userId, 'failed', 'LedgerWriteError: mail ledger claim failed: ThrottlingException']]);
    expect(sender.calls).toBe(0);

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([user!.record]));
    expect(sender.sent.map((mail) => mail.to)).toEqual([user!.email]);
  });

  it('a throttled "sent" mark fails the record and leaves the claim: after its lease the retry sends again (the documented duplicate)', async () => {
    const [user] = await newUsers(1);
    const faulty = throttlingClient((name, input) => name === 'UpdateCommand' && input.includes(':sent'), 1);
    const sender = new RecordingSender();
    const clock = new FakeClock(NOW);
    let response;
    try {
      response = await fixture.notifier({ sender, now: clock.now, documentClient: faulty.client })(streamEvent([user!.record]));
    } finally {
      faulty.restore();
    }

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(user!.record) }] });
    expect(summary()).toEqual([[user!.userId, 'failed', 'LedgerWriteError: mail ledger mark sent failed: ThrottlingException']]);
    expect(sender.sent).toHaveLength(1);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(user!.userId).pk)).toMatchObject({ status: 'sending', attempts: 1 });

    // docs/notifications.md, "The failure windows that remain": the retry cannot know the mail went out.
    clock.time += LEASE_MS + 1;
    await fixture.notifier({ sender, now: clock.now })(streamEvent([user!.record]));
    expect(sender.sent).toHaveLength(2);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(user!.userId).pk)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a record that fails without a sequence number fails the whole batch', async () => {
    const [user] = await newUsers(1);
    const { SequenceNumber: _sequenceNumber, ...withoutSequence } = user!.record.dynamodb!;
    const sender = new RecordingSender().failNext();

    await expect(
      fixture.notifier({ sender, now: () => NOW })(streamEvent([{ ...user!.record, dynamodb: withoutSequence }])),
    ).rejects.toThrow('has no SequenceNumber to report');
  });
});
