import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { FakeClock, NotifierFixture } from '../support/notifier-fixture';
import { RecordingSender } from '../support/recording-sender';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { keys } from '../../lambdas/shared/table-schema';
import { sampleEvent, withData } from '../../lambdas/shared/sample-events';
import { streamEvent } from '../support/stream-records';
import { CapturingLogger } from '../support/capturing-logger';

/*
 * The notifier against DynamoDB Local, fed the stream records the processor's writes produce:
 * each real first occurrence mails once, however often and however concurrently its record
 * is handled.
 */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const NOW = T0 + 60 * 60 * 1000;
const LEASE_MS = 20_000;
let fixture: NotifierFixture;

beforeAll(async () => {
  fixture = await NotifierFixture.create('notifier-once');
});
beforeEach(() => {
  fixture.outcomes.length = 0;
});

function freshUser() {
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  return { userId: `user_2${tag}`, email: `Ada.Lovelace.${tag}@example.com`, sessionId: `sess_2${tag}` };
}

async function userCreated(ids: ReturnType<typeof freshUser>, at = T0): Promise<DynamoDBRecord> {
  const [record] = await fixture.apply(sampleEvent('user.created', { ...ids, at }), [keys.user(ids.userId)]);
  return record!;
}

describe('notifier: exactly one welcome per user', () => {
  it('welcomes a new user once, to the primary email, even when the record comes twice in a batch', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    const sender = new RecordingSender();

    const response = await fixture.notifier({ sender, now: () => NOW })(streamEvent([record, record]));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sender.sent).toEqual([
      {
        kind: 'welcome',
        to: ids.email,
        userId: ids.userId,
        subject: 'Welcome to Acme',
        text: expect.stringMatching(/^Hi Ada,\n\nwelcome to Acme!/),
      },
    ]);
    expect(fixture.outcomes.map(({ result, reason }) => [result, reason])).toEqual([
      ['sent', undefined],
      ['skipped', 'already-sent'],
    ]);
    expect(fixture.outcomes[0]).toEqual({
      kind: 'welcome',
      userId: ids.userId,
      result: 'sent',
      messageId: expect.any(String),
      streamEventId: record.eventID,
    });
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toEqual({
      pk: `WELCOME#${ids.userId}`,
      kind: 'welcome',
      userId: ids.userId,
      status: 'sent',
      claimToken: expect.any(String),
      leaseExpiresAt: NOW + LEASE_MS,
      attempts: 1,
      sentAt: new Date(NOW).toISOString(),
      messageId: fixture.outcomes[0]!.messageId,
    });
  });

  it('skips a replay of the record after the mail was sent', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    const sender = new RecordingSender();
    await fixture.notifier({ sender, now: () => NOW })(streamEvent([record]));
    // A day later: a replay (bisected batch, re-processed shard) finds the ledger's `sent`.
    await fixture.notifier({ sender, now: () => NOW + 86_400_000 })(streamEvent([record]));

    expect(sender.to(ids.email)).toHaveLength(1);
    expect(fixture.outcomes.map(({ result, reason }) => [result, reason])).toEqual([
      ['sent', undefined],
      ['skipped', 'already-sent'],
    ]);
  });

  it('welcomes a user whose session arrived first when user.created gives the partial item its version; later updates mail nothing', async () => {
    const ids = freshUser();
    const sessionRecords = await fixture.apply(sampleEvent('session.created', { ...ids, at: T0 }), [keys.user(ids.userId)]);
    const created = await userCreated(ids, T0 + 1_000);
    const updated = await fixture.apply(
      withData(sampleEvent('user.updated', { ...ids, at: T0 + 2_000, createdAt: T0 + 1_000 }), { first_name: 'Augusta' }),
      [keys.user(ids.userId)],
    );
    // The partial item (lastSeenAt only), then its version, then an ordinary update.
    expect(sessionRecords[0]?.eventName).toBe('INSERT');
    expect(created.eventName).toBe('MODIFY');
    expect(updated).toHaveLength(1);
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([...sessionRecords, created, ...updated]));

    expect(sender.sent.map((mail) => [mail.kind, mail.to])).toEqual([['welcome', ids.email]]);
    expect(fixture.outcomes).toHaveLength(1);
  });

  it('does not welcome a user created long before the notifier first saw them (backfill), and writes no ledger item', async () => {
    const ids = freshUser();
    const [record] = await fixture.apply(sampleEvent('user.created', { ...ids, at: NOW, createdAt: NOW - 30 * 86_400_000 }), [
      keys.user(ids.userId),
    ]);
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([record!]));

    expect(sender.calls).toBe(0);
    expect(fixture.outcomes.map(({ result, reason }) => [result, reason])).toEqual([['skipped', 'backfill']]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toBeUndefined();
  });

  it('never welcomes a user without a primary email (there is no verified address to mail)', async () => {
    const ids = freshUser();
    const [record] = await fixture.apply(
      withData(sampleEvent('user.created', { ...ids, at: T0 }), { email_addresses: [], primary_email_address_id: null }),
      [keys.user(ids.userId)],
    );
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([record!]));

    expect(sender.calls).toBe(0);
    expect(fixture.outcomes).toEqual([]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toBeUndefined();
  });

  it('skips a user whose primary email is gone by the time the welcome is due, and releases the claim', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    await fixture.apply(
      withData(sampleEvent('user.updated', { ...ids, at: T0 + 1000, createdAt: T0 }), { email_addresses: [], primary_email_address_id: null }),
      [keys.user(ids.userId)],
    );
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([record]));

    expect(sender.calls).toBe(0);
    expect(fixture.outcomes.map(({ result, reason }) => [result, reason])).toEqual([['skipped', 'no-email']]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toBeUndefined();
  });

  it('waits out the lease of an attempt that crashed after claiming, then sends once', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    const clock = new FakeClock(NOW);
    // What a crash between claim and send leaves behind.
    await fixture.putLedgerItem({
      ...ledgerKeys.welcome(ids.userId),
      kind: 'welcome',
      userId: ids.userId,
      status: 'sending',
      claimToken: 'token-of-the-crashed-attempt',
      leaseExpiresAt: NOW + 4_500,
      attempts: 1,
    });
    const sender = new RecordingSender();

    const response = await fixture.notifier({ sender, now: clock.now, sleep: clock.sleep, remainingTimeMs: () => 55_000 })(
      streamEvent([record]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(sender.sent).toHaveLength(1);
    // Slept until just past the lease's end, never longer, checking each second whether it was settled.
    expect(clock.sleeps).toEqual([1_000, 1_000, 1_000, 1_000, 501]);
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toMatchObject({
      status: 'sent',
      attempts: 2,
      leaseExpiresAt: NOW + 4_501 + LEASE_MS,
    });
  });

  it('fails the record, sending nothing, when the crashed attempt\'s lease outlasts the invocation', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    const claim = {
      ...ledgerKeys.welcome(ids.userId),
      kind: 'welcome',
      userId: ids.userId,
      status: 'sending',
      claimToken: 'token-of-the-crashed-attempt',
      leaseExpiresAt: NOW + 15_000,
      attempts: 1,
    };
    await fixture.putLedgerItem(claim);
    const sender = new RecordingSender();
    const clock = new FakeClock(NOW);

    const response = await fixture.notifier({ sender, now: clock.now, sleep: clock.sleep, remainingTimeMs: () => 30_000 })(
      streamEvent([record]),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    expect(sender.calls).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(fixture.outcomes).toEqual([
      expect.objectContaining({ kind: 'welcome', result: 'failed', reason: expect.stringMatching(/^MailClaimHeldError: /) }),
    ]);
    expect(await fixture.ledgerItem(claim.pk)).toEqual(claim);
  });

  it('sends once when two invocations race on the same record', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    let release!: () => void;
    const first = new RecordingSender().blockNext(new Promise<void>((resolve) => (release = resolve)));
    const second = new RecordingSender();
    const clock = new FakeClock(NOW);

    const firstRun = fixture.notifier({ sender: first, now: clock.now })(streamEvent([record]));
    await first.started();
    // The second invocation finds the claim held; while it waits, the first one finishes.
    const waits: number[] = [];
    const secondRun = fixture.notifier({
      sender: second,
      now: clock.now,
      sleep: async (ms) => {
        waits.push(ms);
        release();
        await firstRun;
        clock.time += ms;
      },
    })(streamEvent([record]));

    expect(await Promise.all([firstRun, secondRun])).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(first.sent).toHaveLength(1);
    expect(second.calls).toBe(0);
    expect(waits).toEqual([1_000]);
    expect(fixture.outcomes.map(({ result, reason }) => [result, reason]).sort()).toEqual([
      ['sent', undefined],
      ['skipped', 'already-sent'],
    ]);
  });

  it('logs ids and kinds, never the address or the name', async () => {
    const ids = freshUser();
    const record = await userCreated(ids);
    const logger = new CapturingLogger();
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW, logger })(streamEvent([record, record]));

    expect(sender.sent).toHaveLength(1);
    const text = logger.text();
    expect(text).toContain(ids.userId);
    expect(text).toContain('mail sent');
    expect(text).not.toContain(ids.email);
    expect(text.toLowerCase()).not.toContain(ids.email.toLowerCase());
    expect(text).not.toContain('Lovelace');
    expect(text).not.toContain('"Ada');
  });
});
