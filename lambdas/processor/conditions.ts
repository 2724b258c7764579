/**
 * Condition-expression fragments for ordering and idempotency. An event's ordering key is
 * (version, svix id), compared lexicographically: a higher version wins, and on equal
 * versions the higher svix id wins, so every delivery order converges on one winner.
 * The fragments use the placeholders from `orderingNames`, `orderingValues` and `deletedName`.
 */
import { TABLE_KEYS } from '../shared/table-schema';

/** No item under the key yet: every item has its partition key. */
export const ITEM_ABSENT = `attribute_not_exists(${TABLE_KEYS.partitionKey})`;

/** The item holds no state yet, or an older one than the incoming event's. */
export const IS_OLDER_THAN_EVENT =
  '(attribute_not_exists(#version) OR #version < :version OR (#version = :version AND #lastEventId < :eventId))';

export const NOT_DELETED = 'attribute_not_exists(#deleted)';

// DynamoDB rejects unused placeholders, so each fragment's names come separately.
export const orderingNames = { '#version': 'version', '#lastEventId': 'lastEventId' } as const;
export const deletedName = { '#deleted': 'deleted' } as const;

export function orderingValues(version: number, svixId: string): { ':version': number; ':eventId': string } {
  return { ':version': version, ':eventId': svixId };
}

export type RejectedAs = 'duplicate' | 'stale';

/** A failed condition is a duplicate when the item was written by this very event, otherwise the event is stale. */
export function classifyRejection(old: Record<string, unknown> | undefined, svixId: string): RejectedAs {
  return old?.lastEventId === svixId ? 'duplicate' : 'stale';
}
