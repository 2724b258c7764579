import type { DynamoDBRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { MalformedStreamRecordError } from '../shared/errors';
import { imageOf } from '../shared/stream-images';
import { isoFromMillis } from '../shared/table-schema';
import { type ChangeEvent, type ChangeEventDetail, type ChangeKind, detailTypeOf } from './change-event';
import { changedFields, deletionItem, type EntityState, entityState } from './entity-state';

/**
 * The change events of one sync-table stream record (docs/change-events.md, "Rules"). Pure: the
 * same record always gives the same events with the same changeIds, so a retried batch or a
 * replayed stream repeats them exactly. Per record, by the item's old and new image:
 * - a live state replacing a live state of the same id: `updated` if a public field changed,
 *   else nothing (a duplicate never writes; `lastSeenAt` and bookkeeping are not public fields);
 * - a live state where there was none of that id (nothing, a partial user, a tombstone or a
 *   live membership of an earlier join): `created`, after a `deleted` of the replaced membership;
 *   every event is a function of the state it is about and the change, like its changeId;
 * - a tombstone where there was none of that id: `deleted` (also of an entity never seen live:
 *   its deletion still matters to whoever knew it from elsewhere);
 * - an item removed (a cascade): `deleted` if it was live; nothing for a tombstone or a partial
 *   user, nor for anything DynamoDB's TTL removes;
 * - a partial user item: nothing, the user appears with its own first event.
 */
export function changeEventsOf(record: DynamoDBRecord): ChangeEvent[] {
  const stream = record.dynamodb;
  if (stream === undefined || (stream.StreamViewType !== undefined && stream.StreamViewType !== 'NEW_AND_OLD_IMAGES')) {
    throw new MalformedStreamRecordError(
      `stream record ${record.eventID ?? '(no eventID)'} has no old and new images (${stream?.StreamViewType ?? 'no dynamodb'}); change events need NEW_AND_OLD_IMAGES`,
    );
  }
  const before = entityState(stream.OldImage === undefined ? undefined : imageOf(stream.OldImage));
  const after = entityState(stream.NewImage === undefined ? undefined : imageOf(stream.NewImage));
  const committedAt = stream.ApproximateCreationDateTime === undefined ? undefined : isoFromMillis(stream.ApproximateCreationDateTime * 1000);
  /** `causedBy`: the state written by the Clerk event behind the change, if there was one. */
  const event = (state: EntityState, change: ChangeKind, item: ChangeEventDetail['item'], causedBy: EntityState | undefined, changed?: string[]): ChangeEvent => ({
    detailType: detailTypeOf(state.entity, change),
    detail: {
      entity: state.entity,
      change,
      id: state.id,
      version: state.version ?? 0,
      changeId: changeIdOf(state, change),
      ...svixIdOf(causedBy?.lastEventId),
      item,
      ...(changed === undefined ? {} : { changedFields: changed }),
    },
    ...(committedAt === undefined ? {} : { time: committedAt }),
  });
  /**
   * The live state before is gone without a tombstone of its own: a cascade, or a rejoin's
   * membership replacing it. The event says only what the state says (no svix id, no deletion
   * time), so the same removal seen twice is the same event (the record's time is the event's).
   */
  const removed = (state: EntityState): ChangeEvent => event(state, 'deleted', deletionItem(state, undefined), undefined);

  if (record.eventName === 'REMOVE') {
    return before?.status === 'live' && !isTimeToLiveRemoval(record) ? [removed(before)] : [];
  }
  if (after === undefined) return [];
  const sameEntity = before !== undefined && before.entity === after.entity && before.id === after.id;
  const replacedLive = before?.status === 'live' && !sameEntity ? [removed(before)] : [];
  switch (after.status) {
    case 'partial':
      return [];
    case 'deleted':
      if (sameEntity && before.status === 'deleted') return [];
      return [...replacedLive, event(after, 'deleted', deletionItem(after, stringOf(after.fields.deletedAt)), after)];
    case 'live': {
      if (sameEntity && before.status === 'live') {
        const changed = changedFields(before, after);
        return changed.length === 0 ? [] : [event(after, 'updated', after.fields, after, changed)];
      }
      return [...replacedLive, event(after, 'created', after.fields, after)];
    }
  }
}

/**
 * Stable across deliveries and replays: the entity, the change, and the state it is about
 * (version and the id of the event that wrote it), never the stream record or a random id.
 */
export function changeIdOf(state: Pick<EntityState, 'entity' | 'id' | 'version' | 'lastEventId'>, change: ChangeKind): string {
  const identity = JSON.stringify([state.entity, state.id, change, state.version ?? null, state.lastEventId ?? null]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

/**
 * A Clerk event's svix id. The pipeline's own writes carry ids starting with `!` instead (a
 * backfill's `!snapshot`, a prune's `!prune`, sorting below every svix id): no Clerk event caused them.
 */
function svixIdOf(lastEventId: string | undefined): { svixId?: string } {
  return lastEventId === undefined || lastEventId.startsWith('!') ? {} : { svixId: lastEventId };
}

/** DynamoDB's TTL deletes expired tombstones as the service principal (docs/table.md, "Deletions and tombstones"). */
function isTimeToLiveRemoval(record: DynamoDBRecord): boolean {
  return record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
