import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { sampleEvent, type SampleIds, withData } from '../../lambdas/shared/sample-events';
import { keys } from '../../lambdas/shared/table-schema';
import { freshIds, type FreshIds } from '../support/fresh-ids';
import { NotifierFixture } from '../support/notifier-fixture';
import { RecordingSender } from '../support/recording-sender';
import { streamEvent } from '../support/stream-records';

/*
 * Issue 14, item 1: mail only goes to a primary address Clerk reports verified. A user whose
 * address is verified later is welcomed then, once; an admin welcome waits for it too; and a
 * name the user typed never carries a link into the mail. The real processor writes the table
 * (DynamoDB Local), the real notifier handles the stream records of each change.
 */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const NOW = T0 + 60 * 60 * 1000;
const at = (seconds: number) => T0 + seconds * 1000;
let fixture: NotifierFixture;

beforeAll(async () => {
  fixture = await NotifierFixture.create('notifier-verified');
});
beforeEach(() => {
  fixture.outcomes.length = 0;
});

const watched = (ids: FreshIds) => [keys.user(ids.userId), keys.membership(ids.orgId, ids.userId)];

/** Applies `type` for these ids (the primary address verified or not) and hands the changed items' records to the notifier. */
async function step(notifier: ReturnType<NotifierFixture['notifier']>, type: string, ids: FreshIds & Partial<SampleIds>, seconds: number, patch: Record<string, unknown> = {}) {
  const records = await fixture.apply(withData(sampleEvent(type, { ...ids, at: at(seconds), createdAt: T0 }), patch), watched(ids));
  const response = await notifier(streamEvent(records));
  expect(response.batchItemFailures).toEqual([]);
  return records;
}
const summary = () => fixture.outcomes.map(({ kind, result, reason }) => [kind, result, reason]);

describe('notifier: verified addresses only', () => {
  it('does not welcome a user.created whose primary address is unverified, and records that in the table', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    await step(fixture.notifier({ sender, now: () => NOW }), 'user.created', { ...ids, emailVerified: false }, 1);
    expect(sender.calls).toBe(0);
    expect(await fixture.item(keys.user(ids.userId))).toMatchObject({ email: ids.email, emailVerified: false });
    expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toBeUndefined();
  });

  it('welcomes when the address becomes verified, once: not on sign-ins, not again after it is unverified and verified anew', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });
    await step(notifier, 'user.created', { ...ids, emailVerified: false }, 1);
    await step(notifier, 'session.created', ids, 2);
    expect(sender.calls).toBe(0);

    await step(notifier, 'user.updated', { ...ids, emailVerified: true }, 3);
    expect(sender.sent.map(({ kind, to }) => [kind, to])).toEqual([['welcome', ids.email]]);

    // A sign-in (lastSeenAt), a change of address to an unverified one, and its verification.
    const newAddress = `New.${ids.email}`;
    await step(notifier, 'session.created', { ...ids, sessionId: `${ids.sessionId}b` }, 4);
    await step(notifier, 'user.updated', { ...ids, email: newAddress, emailVerified: false }, 5);
    fixture.outcomes.length = 0;
    await step(notifier, 'user.updated', { ...ids, email: newAddress, emailVerified: true }, 6);
    expect(summary()).toEqual([['welcome', 'skipped', 'already-sent']]);
    expect(sender.calls).toBe(1);
  });

  it('skips a welcome whose address is no longer verified when it is due; the next verification sends it', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });
    // The verifying change is committed, but the notifier only sees it after the address went unverified again.
    const verified = await fixture.apply(sampleEvent('user.created', { ...ids, at: at(1), createdAt: T0 }), watched(ids));
    await fixture.apply(sampleEvent('user.updated', { ...ids, emailVerified: false, at: at(2), createdAt: T0 }), watched(ids));
    await notifier(streamEvent(verified));
    expect(summary()).toEqual([['welcome', 'skipped', 'unverified']]);
    expect(sender.calls).toBe(0);

    await step(notifier, 'user.updated', { ...ids, emailVerified: true }, 3);
    expect(sender.sent.map(({ kind }) => kind)).toEqual(['welcome']);
  });

  it('lets an admin welcome wait for a verified recipient, then sends it with the welcome', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });
    await step(notifier, 'user.created', { ...ids, emailVerified: false }, 1);
    await step(notifier, 'organizationMembership.created', ids, 2);
    expect(summary()).toEqual([['admin-welcome', 'skipped', 'pending-recipient']]);
    expect((await fixture.ledgerItem(ledgerKeys.pendingAdminWelcomes(ids.userId).pk))?.memberships).toEqual(
      new Set([`${ids.orgId}|${ids.membershipId}`]),
    );

    fixture.outcomes.length = 0;
    await step(notifier, 'user.updated', { ...ids, emailVerified: true }, 3);
    expect(summary()).toEqual([
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'sent', undefined],
    ]);
    expect(sender.sent.every((mail) => mail.to === ids.email)).toBe(true);
    expect((await fixture.ledgerItem(ledgerKeys.pendingAdminWelcomes(ids.userId).pk))?.memberships).toBeUndefined();
  });

  it('keeps a pending admin welcome when the user is unverified again by the time it is due', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });
    await step(notifier, 'user.created', { ...ids, emailVerified: false }, 1);
    await step(notifier, 'organizationMembership.created', ids, 2);
    const verifying = await fixture.apply(sampleEvent('user.updated', { ...ids, at: at(3), createdAt: T0 }), watched(ids));
    await fixture.apply(sampleEvent('user.updated', { ...ids, emailVerified: false, at: at(4), createdAt: T0 }), watched(ids));
    await notifier(streamEvent(verifying));
    expect(sender.calls).toBe(0);
    expect((await fixture.ledgerItem(ledgerKeys.pendingAdminWelcomes(ids.userId).pk))?.memberships).toEqual(
      new Set([`${ids.orgId}|${ids.membershipId}`]),
    );

    await step(notifier, 'user.updated', { ...ids, emailVerified: true }, 5);
    expect(sender.sent.map(({ kind }) => kind)).toEqual(['welcome', 'admin-welcome']);
  });

  it('greets a user who typed a link into their name without the link', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    await step(fixture.notifier({ sender, now: () => NOW }), 'user.created', ids, 1, {
      first_name: 'Claim your refund at https://evil.example/refund or evil.example <b>today</b>',
    });
    expect(sender.sent).toHaveLength(1);
    const mail = sender.sent[0]!;
    expect(mail.text.split('\n')[0]).toBe('Hi Claim your refund at or b today b,');
    expect(`${mail.subject}\n${mail.text}`).not.toMatch(/evil|https?:|<|>/);
  });
});
