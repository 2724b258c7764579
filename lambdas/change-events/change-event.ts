/**
 * The public contract of change events (README, "Change events"; docs/change-events.md): what the
 * publisher puts on the bus for each committed change of a user, organization, membership or
 * session. Plain types and constants: the function, the stack (its rules' patterns), the local
 * pipeline and consumers' tests all take them from here.
 */

/** `source` of every change event. */
export const CHANGE_EVENT_SOURCE = 'clerk-webhook-sync';

/** The entities, named as the table's `type` names its items. */
export const CHANGE_ENTITIES = ['user', 'organization', 'membership', 'session'] as const;
export type ChangeEntity = (typeof CHANGE_ENTITIES)[number];

export const CHANGE_KINDS = ['created', 'updated', 'deleted'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** `detail-type`: `user.created`, `membership.deleted`, … */
export type ChangeDetailType = `${ChangeEntity}.${ChangeKind}`;

export interface ChangeEventDetail {
  readonly entity: ChangeEntity;
  readonly change: ChangeKind;
  /** The Clerk id of the user, organization, membership or session. */
  readonly id: string;
  /**
   * The ordering version the table stores for the state (epoch ms: Clerk's `updated_at`, else the
   * event's time). `created` and `updated` of one entity come in increasing version; a `deleted`
   * is final whatever its version (docs/change-events.md, "Order").
   */
  readonly version: number;
  /** The same for every delivery and replay of this change: deduplicate on it. */
  readonly changeId: string;
  /** The svix id of the Clerk event that caused the change; absent for cascades and backfill snapshots. */
  readonly svixId?: string;
  /** The entity's public fields (docs/table.md) as of this change, without `lastSeenAt`; for `deleted`, ids only. */
  readonly item: Readonly<Record<string, unknown>>;
  /** `updated` only: the public fields whose value changed (added, changed or removed), sorted. */
  readonly changedFields?: readonly string[];
}

/** One change event as the publisher hands it to the bus (one PutEvents entry). */
export interface ChangeEvent {
  readonly detailType: ChangeDetailType;
  readonly detail: ChangeEventDetail;
  /** When the change was committed (the stream record's time, to the second), ISO-8601; absent: the bus uses the time of the put. */
  readonly time?: string;
}

/** A change event as a rule's target receives it: EventBridge's envelope around the detail. */
export interface ChangeEventEnvelope {
  readonly version: '0';
  /** EventBridge's id of this delivery; a retried put gets a new one (changeId does not change). */
  readonly id: string;
  readonly 'detail-type': ChangeDetailType;
  readonly source: typeof CHANGE_EVENT_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ChangeEventDetail;
}

export function detailTypeOf(entity: ChangeEntity, change: ChangeKind): ChangeDetailType {
  return `${entity}.${change}`;
}
