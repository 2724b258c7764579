import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { NotifierFixture } from '../support/notifier-fixture';
import { RecordingSender } from '../support/recording-sender';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { keys } from '../../lambdas/shared/table-schema';
import { sampleEvent, withData } from '../../lambdas/shared/sample-events';
import { freshIds, type FreshIds } from '../support/fresh-ids';
import { localDocumentClient } from '../support/local-clients';
import { streamEvent } from '../support/stream-records';

/*
 * Admin welcomes: one per membership that becomes a live admin membership, sent to the
 * member's current address, also when the membership's record comes before the user exists.
 */

const T0 = Date.UTC(2024, 4, 29, 9, 0, 0);
const NOW = T0 + 60 * 60 * 1000;
const at = (seconds: number) => T0 + seconds * 1000;
let fixture: NotifierFixture;

beforeAll(async () => {
  fixture = await NotifierFixture.create('notifier-admin');
});
beforeEach(() => {
  fixture.outcomes.length = 0;
});

type Ids = Pick<FreshIds, 'userId' | 'orgId' | 'membershipId' | 'email'>;

/** What a change of the user or of their membership in the organization shows on the stream. */
const watched = (ids: Ids) => [keys.membership(ids.orgId, ids.userId), keys.user(ids.userId)];

async function apply(type: string, ids: Ids, seconds: number, patch: Record<string, unknown> = {}, createdAtSeconds?: number) {
  const event = sampleEvent(type, { ...ids, at: at(seconds), ...(createdAtSeconds === undefined ? {} : { createdAt: at(createdAtSeconds) }) });
  return fixture.apply(withData(event, patch), watched(ids));
}

const summary = () => fixture.outcomes.map(({ kind, result, reason }) => [kind, result, reason]);
const pendingOf = async (userId: string) => (await fixture.ledgerItem(ledgerKeys.pendingAdminWelcomes(userId).pk))?.memberships;

describe('notifier: admin welcomes', () => {
  it('an admin membership before its user waits as pending; the user\'s first appearance sends both mails, once', async () => {
    const fresh = freshIds();
    // The sample organization is named after its id's last five characters; a mail drops runs of
    // five digits from names (README, Security), so the tail gets a letter.
    const ids = { ...fresh, orgId: `${fresh.orgId}x` };
    await fixture.apply(sampleEvent('organization.created', { ...ids, at: at(0) }), [keys.organization(ids.orgId)]);
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });

    const membershipRecords = await apply('organizationMembership.created', ids, 1);
    await notifier(streamEvent(membershipRecords));
    expect(summary()).toEqual([['admin-welcome', 'skipped', 'pending-recipient']]);
    expect(await pendingOf(ids.userId)).toEqual(new Set([`${ids.orgId}|${ids.membershipId}`]));
    expect(sender.calls).toBe(0);

    fixture.outcomes.length = 0;
    const userRecords = await apply('user.created', ids, 2);
    await notifier(streamEvent(userRecords));
    expect(summary()).toEqual([
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'sent', undefined],
    ]);
    expect(sender.sent.map(({ kind, to, subject, orgId, membershipId }) => ({ kind, to, subject, orgId, membershipId }))).toEqual([
      { kind: 'welcome', to: ids.email, subject: 'Welcome to Acme', orgId: undefined, membershipId: undefined },
      {
        kind: 'admin-welcome',
        to: ids.email,
        subject: `You are now an admin of Acme ${ids.orgId.slice(-5)} on Acme`,
        orgId: ids.orgId,
        membershipId: ids.membershipId,
      },
    ]);
    expect(await pendingOf(ids.userId)).toBeUndefined();

    // Every record again (a replayed shard): nothing more.
    fixture.outcomes.length = 0;
    await notifier(streamEvent([...membershipRecords, ...userRecords]));
    expect(sender.sent).toHaveLength(2);
    expect(summary()).toEqual([
      ['admin-welcome', 'skipped', 'already-sent'],
      ['welcome', 'skipped', 'already-sent'],
    ]);
  });

  it('the user appearing between the pending write and the re-read: the membership\'s record sends, the user\'s does not again', async () => {
    const ids = freshIds();
    const membershipRecords = await apply('organizationMembership.created', ids, 1);
    let userRecords: DynamoDBRecord[] = [];
    // Holds the notifier's pending write until user.created has been applied in full.
    const client = localDocumentClient();
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let held = 0;
    Object.assign(client, {
      send: async (command: unknown) => {
        const output = await send(command);
        if (command instanceof UpdateCommand && String(command.input.Key?.pk).startsWith('PENDING_ADMIN_WELCOME#') && held === 0) {
          held += 1;
          userRecords = await apply('user.created', ids, 2);
        }
        return output;
      },
    });
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW, documentClient: client as DynamoDBDocumentClient })(streamEvent(membershipRecords));
    expect(held).toBe(1);
    expect(summary()).toEqual([['admin-welcome', 'sent', undefined]]);
    // Dealt with, so the entry is gone: the user's record need not (and will not) send it again.
    expect(await pendingOf(ids.userId)).toBeUndefined();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent(userRecords));
    expect(sender.sent.map((mail) => mail.kind)).toEqual(['admin-welcome', 'welcome']);
  });

  it('welcomes a promotion and a rejoin (new membership id), not a demotion nor a second promotion of the same membership', async () => {
    const ids = freshIds();
    const rejoin = { ...ids, membershipId: `${ids.membershipId}x` };
    const sender = new RecordingSender();
    // The notifier keeps up with the table: it sees each change before the next one is applied.
    const steps = [
      () => apply('user.created', ids, 0),
      () => apply('organizationMembership.created', ids, 1, { role: 'org:member' }),
      () => apply('organizationMembership.updated', ids, 2, { role: 'org:admin' }, 1),
      () => apply('organizationMembership.updated', ids, 3, { role: 'org:member' }, 1),
      () => apply('organizationMembership.updated', ids, 4, { role: 'org:admin' }, 1),
      () => apply('organizationMembership.deleted', ids, 5, {}, 1),
      () => fixture.apply(sampleEvent('organizationMembership.created', { ...rejoin, at: at(6) }), watched(rejoin)),
    ];
    for (const step of steps) {
      expect(await fixture.notifier({ sender, now: () => NOW })(streamEvent(await step()))).toEqual({ batchItemFailures: [] });
    }

    expect(summary()).toEqual([
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'sent', undefined],
      ['admin-welcome', 'skipped', 'already-sent'],
      ['admin-welcome', 'sent', undefined],
    ]);
    expect(sender.sent.map((mail) => [mail.kind, mail.membershipId])).toEqual([
      ['welcome', undefined],
      ['admin-welcome', ids.membershipId],
      ['admin-welcome', rejoin.membershipId],
    ]);
  });

  it('a notifier behind the table does not welcome an admin membership that was since deleted or replaced', async () => {
    const ids = freshIds();
    const rejoin = { ...ids, membershipId: `${ids.membershipId}x` };
    const records = [
      ...(await apply('user.created', ids, 0)),
      ...(await apply('organizationMembership.created', ids, 1, { role: 'org:admin' })),
      ...(await apply('organizationMembership.deleted', ids, 2, {}, 1)),
      ...(await fixture.apply(sampleEvent('organizationMembership.created', { ...rejoin, at: at(3) }), watched(rejoin))),
    ];
    const sender = new RecordingSender();

    expect(await fixture.notifier({ sender, now: () => NOW })(streamEvent(records))).toEqual({ batchItemFailures: [] });

    expect(summary()).toEqual([
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'skipped', 'deleted'],
      ['admin-welcome', 'sent', undefined],
    ]);
    expect(sender.sent.map((mail) => [mail.kind, mail.membershipId])).toEqual([
      ['welcome', undefined],
      ['admin-welcome', rejoin.membershipId],
    ]);
  });

  it('an admin membership whose organization was deleted since, not yet removed by the processor, gets no welcome', async () => {
    const ids = freshIds();
    const records = [
      ...(await apply('user.created', ids, 0)),
      ...(await apply('organization.created', ids, 0)),
      ...(await apply('organizationMembership.created', ids, 1, { role: 'org:admin' })),
    ];
    // The window docs/consistency.md leaves without the read of parents first: the organization's
    // tombstone is written, and the membership written after it is still there until the
    // processor's check after the write (or that event's retry) removes it.
    await localDocumentClient().send(
      new UpdateCommand({
        TableName: fixture.tableName,
        Key: keys.organization(ids.orgId),
        UpdateExpression: 'SET #deleted = :deleted',
        ExpressionAttributeNames: { '#deleted': 'deleted' },
        ExpressionAttributeValues: { ':deleted': true },
      }),
    );
    const sender = new RecordingSender();

    expect(await fixture.notifier({ sender, now: () => NOW })(streamEvent(records))).toEqual({ batchItemFailures: [] });

    expect(summary()).toEqual([
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'skipped', 'deleted'],
    ]);
    expect(sender.sent.map((mail) => mail.kind)).toEqual(['welcome']);
  });

  it('a pending admin welcome whose membership was deleted before the user appeared is dropped', async () => {
    const ids = freshIds();
    const sender = new RecordingSender();
    const notifier = fixture.notifier({ sender, now: () => NOW });

    // Each change handled before the next is applied, as when the stream keeps up.
    await notifier(streamEvent(await apply('organizationMembership.created', ids, 1)));
    await notifier(streamEvent(await apply('organizationMembership.deleted', ids, 2, {}, 1)));
    await notifier(streamEvent(await apply('user.created', ids, 3)));

    expect(summary()).toEqual([
      ['admin-welcome', 'skipped', 'pending-recipient'],
      ['welcome', 'sent', undefined],
      ['admin-welcome', 'skipped', 'deleted'],
    ]);
    expect(sender.sent.map((mail) => mail.kind)).toEqual(['welcome']);
    expect(await pendingOf(ids.userId)).toBeUndefined();
  });
});

describe('notifier: deleted users get no mail', () => {
  it('a user deleted before their record is handled: welcome and admin welcome skipped as deleted', async () => {
    const ids = freshIds();
    const records = [...(await apply('user.created', ids, 0)), ...(await apply('organizationMembership.created', ids, 1))];
    const deletion = await apply('user.deleted', ids, 2);
    // The cascade removed the membership: a REMOVE, which mails nothing either.
    expect(deletion.map((record) => record.eventName).sort()).toEqual(['MODIFY', 'REMOVE']);
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent([...records, ...deletion]));

    expect(sender.calls).toBe(0);
    expect(summary()).toEqual([
      ['welcome', 'skipped', 'deleted'],
      ['admin-welcome', 'skipped', 'deleted'],
    ]);
  });

  it('a deletion applied before user.created leaves only a tombstone: no trigger at all', async () => {
    const ids = freshIds();
    const records = [...(await apply('user.deleted', ids, 2)), ...(await apply('user.created', ids, 1))];
    expect(records.map((record) => record.eventName)).toEqual(['INSERT']);
    const sender = new RecordingSender();

    await fixture.notifier({ sender, now: () => NOW })(streamEvent(records));

    expect(sender.calls).toBe(0);
    expect(fixture.outcomes).toEqual([]);
  });
});
