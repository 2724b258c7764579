import type { Image } from '../shared/stream-images';
import { STORAGE_ATTRIBUTES } from '../shared/table-schema';
import { CHANGE_ENTITIES, type ChangeEntity } from './change-event';

/**
 * What one image of a sync-table item says about its entity, for change events: which entity,
 * whether it exists (`live`), is deleted (a tombstone) or only `partial` (a user item a session
 * or membership wrote before the user's own first event: no `version`), and its public fields.
 */
export interface EntityState {
  readonly entity: ChangeEntity;
  readonly id: string;
  readonly status: 'live' | 'deleted' | 'partial';
  /** Bookkeeping: the ordering version and the id of the event that wrote this state. */
  readonly version?: number;
  readonly lastEventId?: string;
  /** Public fields (docs/table.md), without `lastSeenAt`; sets as sorted lists. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * `lastSeenAt` is raised by every sign-in, outside the user's own events: a change event would
 * carry it stale, and raising it alone is not a change anyone reacts to (docs/change-events.md).
 */
export const NOT_IN_CHANGE_EVENTS = 'lastSeenAt';

const ENTITIES: ReadonlySet<string> = new Set(CHANGE_ENTITIES);
const LEFT_OUT: ReadonlySet<string> = new Set<string>([...STORAGE_ATTRIBUTES, NOT_IN_CHANGE_EVENTS]);

/** The ids a deletion keeps besides the entity's own: who or what the deleted item belonged to. */
const PARENT_IDS: Readonly<Record<ChangeEntity, readonly string[]>> = {
  user: [],
  organization: [],
  membership: ['orgId', 'userId'],
  session: ['userId'],
};

/** `undefined` for no image, or an item that is none of the four entities. */
export function entityState(image: Image | undefined): EntityState | undefined {
  if (image === undefined || typeof image.type !== 'string' || !ENTITIES.has(image.type)) return undefined;
  if (typeof image.id !== 'string' || image.id === '') return undefined;
  const version = typeof image.version === 'number' ? image.version : undefined;
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(image)) {
    if (!LEFT_OUT.has(name)) fields[name] = value instanceof Set ? [...value].sort() : value;
  }
  return {
    entity: image.type as ChangeEntity,
    id: image.id,
    status: image.deleted === true ? 'deleted' : version === undefined ? 'partial' : 'live',
    ...(version === undefined ? {} : { version }),
    ...(typeof image.lastEventId === 'string' ? { lastEventId: image.lastEventId } : {}),
    fields,
  };
}

/** What a deletion says: the ids, `deleted`, and when, never personal data (like a tombstone). */
export function deletionItem(state: EntityState, deletedAt: string | undefined): Record<string, unknown> {
  const item: Record<string, unknown> = { type: state.entity, id: state.id };
  for (const name of PARENT_IDS[state.entity]) {
    if (state.fields[name] !== undefined) item[name] = state.fields[name];
  }
  item.deleted = true;
  if (deletedAt !== undefined) item.deletedAt = deletedAt;
  return item;
}

/** Public fields whose values differ between two states of one entity (present in either), sorted. */
export function changedFields(before: EntityState, after: EntityState): string[] {
  const names = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  return [...names].filter((name) => !sameValue(before.fields[name], after.fields[name])).sort();
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
