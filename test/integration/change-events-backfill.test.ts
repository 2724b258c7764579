import { Logger } from '@aws-lambda-powertools/logger';
import type { ChangeEventDetail } from '../../lambdas/change-events/change-event';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { createQueues, createTable, latestStreamArn } from '../../local/create-resources';
import { clerkFor, storeOf, sweep } from '../support/backfill-fixture';
import { deliverInBatches } from '../support/deliver-in-batches';
import { localDocumentClient, localDynamoDb, localSqs, localStreams, uniqueName } from '../support/local-clients';
import type { HistoryEvent } from '../support/random-history';
import { startRecordingPublisher } from '../support/recording-publisher';

/*
 * Backfill and reconciliation write through the processor's appliers, so their writes are changes
 * like a webhook's (docs/change-events.md, "Backfill and reconciliation"): a snapshot that creates
 * or updates an entity publishes `created` / `updated`, a prune publishes the entity's `deleted`
 * and one per session and membership its cascade removes; none has a svixId, since no Clerk event
 * caused them. A sweep that changes nothing publishes nothing.
 */

const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const streams = localStreams();

const id = (kind: string, n: number) => `${kind}_2cebackfill${n}`;
const at = (minute: number) => Date.UTC(2024, 4, 29, 16, minute);
const event = (svixId: string, type: string, ids: Parameters<typeof sampleEvent>[1]): HistoryEvent => ({ svixId, event: sampleEvent(type, ids) });

// What the webhooks brought: user 2, an organization, user 3 with a session and a membership, and a
// session of user 1 (whose own user.created was lost: the table holds only a partial user).
const delivered: HistoryEvent[] = [
  event('msg_ceb1', 'user.created', { userId: id('user', 2), at: at(1) }),
  event('msg_ceb2', 'organization.created', { orgId: id('org', 1), at: at(2) }),
  event('msg_ceb3', 'user.created', { userId: id('user', 3), at: at(3) }),
  event('msg_ceb4', 'session.created', { userId: id('user', 3), sessionId: id('sess', 3), at: at(4) }),
  event('msg_ceb5', 'organizationMembership.created', { userId: id('user', 3), orgId: id('org', 1), membershipId: id('orgmem', 3), at: at(5) }),
  event('msg_ceb6', 'session.created', { userId: id('user', 1), sessionId: id('sess', 1), at: at(6) }),
];
// What happened in Clerk besides, its webhooks lost.
const missed: HistoryEvent[] = [
  event('msg_ceb7', 'user.created', { userId: id('user', 1), at: at(0), createdAt: at(0) }),
  event('msg_ceb8', 'user.updated', { userId: id('user', 2), email: 'grace@example.com', at: at(7), createdAt: at(1) }),
  event('msg_ceb9', 'user.deleted', { userId: id('user', 3), at: at(8) }),
  event('msg_ceba', 'user.created', { userId: id('user', 4), at: at(9) }),
];

let queueUrl: string;
let deadLetterQueueUrl: string;
beforeAll(async () => {
  ({ queueUrl, deadLetterQueueUrl } = await createQueues(sqs, uniqueName('change-events-backfill')));
});
afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
  streams.destroy();
});

it('snapshots publish created and updated, a prune the deletion and its cascade, all without svixId; a second sweep publishes nothing', async () => {
  const tableName = uniqueName('change-events-backfill');
  await createTable(dynamodb, tableName, { stream: true });
  const recording = startRecordingPublisher(streams, await latestStreamArn(dynamodb, tableName));
  const { server, clerk } = await clerkFor(storeOf([...delivered, ...missed]));
  try {
    const processor = createProcessorHandler({ documentClient, sqs, tableName, queueUrl, deadLetterQueueUrl, now: () => Date.UTC(2024, 5, 1), readParentsFirst: true, logger: new Logger({ logLevel: 'SILENT' }) });
    await deliverInBatches(processor, delivered, [1]);
    await recording.source.caughtUp();
    const fromWebhooks = recording.published.length;
    // Users 2 and 3, the organization, the membership, two sessions; the partial user 1 is not a user yet.
    expect(recording.published.map(({ detailType }) => detailType).sort()).toEqual(
      ['membership.created', 'organization.created', 'session.created', 'session.created', 'user.created', 'user.created'].sort(),
    );

    const run = await sweep(documentClient, tableName, clerk, { prune: true });
    expect(run.failures).toEqual([]);
    await recording.source.caughtUp();
    expect(recording.discarded).toEqual([]);
    const fromSweep = recording.published.slice(fromWebhooks).map(({ detail }) => detail);
    const summary = (detail: ChangeEventDetail) => `${detail.entity}.${detail.change} ${detail.id}`;
    expect(fromSweep.map(summary).sort()).toEqual(
      [
        `user.created ${id('user', 1)}`,
        `user.updated ${id('user', 2)}`,
        `user.deleted ${id('user', 3)}`,
        `session.deleted ${id('sess', 3)}`,
        `membership.deleted ${id('orgmem', 3)}`,
        `user.created ${id('user', 4)}`,
      ].sort(),
    );
    for (const detail of fromSweep) expect({ event: summary(detail), svixId: detail.svixId }).toEqual({ event: summary(detail), svixId: undefined });

    const byEvent = new Map(fromSweep.map((detail) => [summary(detail), detail]));
    // The partial user becomes a user when its own state first appears, here from the snapshot.
    expect(byEvent.get(`user.created ${id('user', 1)}`)!.item).toMatchObject({ type: 'user', id: id('user', 1), createdAt: new Date(at(0)).toISOString() });
    expect(byEvent.get(`user.updated ${id('user', 2)}`)).toMatchObject({ version: at(7), item: { email: 'grace@example.com' }, changedFields: expect.arrayContaining(['email', 'updatedAt']) });
    // The prune's tombstone: ids and deletedAt, no personal data; the user's deletion before its cascade.
    const userDeleted = byEvent.get(`user.deleted ${id('user', 3)}`)!;
    expect(Object.keys(userDeleted.item).sort()).toEqual(['deleted', 'deletedAt', 'id', 'type']);
    const order = fromSweep.map(summary);
    expect(order.indexOf(`user.deleted ${id('user', 3)}`)).toBeLessThan(order.indexOf(`session.deleted ${id('sess', 3)}`));
    expect(order.indexOf(`user.deleted ${id('user', 3)}`)).toBeLessThan(order.indexOf(`membership.deleted ${id('orgmem', 3)}`));
    expect(byEvent.get(`membership.deleted ${id('orgmem', 3)}`)!.item).toEqual({ type: 'membership', id: id('orgmem', 3), orgId: id('org', 1), userId: id('user', 3), deleted: true });

    // Nothing left to repair: the same sweep again writes nothing, so publishes nothing.
    const afterFirstSweep = recording.published.length;
    const again = await sweep(documentClient, tableName, clerk, { prune: true });
    expect(again.final.counts).toMatchObject({ created: 0, updated: 0, pruned: 0, failed: 0 });
    await recording.source.caughtUp();
    expect(recording.published.slice(afterFirstSweep)).toEqual([]);
  } finally {
    await Promise.allSettled([recording.source.stop(), server.close()]);
  }
});
