import type { ClerkSession, EpochMillis } from '../shared/clerk-events';
import { isoFromMillis, keys, type SessionItem, type SessionStatus } from '../shared/table-schema';
import { definedOnly, optionalIso } from './read-fields';

export interface EventStamp {
  /** Ordering version, epoch ms. */
  readonly version: EpochMillis;
  /** Svix id of the event. */
  readonly lastEventId: string;
}

/** The whole session item as of one event; terminal statuses carry `endedAt` (the event's version). */
export function sessionItem(session: ClerkSession, status: SessionStatus, stamp: EventStamp): SessionItem {
  return definedOnly<SessionItem>({
    ...keys.session(session.user_id, session.id),
    type: 'session',
    id: session.id,
    userId: session.user_id,
    status,
    createdAt: optionalIso(session.created_at),
    expiresAt: optionalIso(session.expire_at),
    endedAt: status === 'active' ? undefined : isoFromMillis(stamp.version),
    version: stamp.version,
    lastEventId: stamp.lastEventId,
  });
}

/** When the user was last seen according to a new session: its last activity, else its creation, else the event's time. */
export function sessionLastSeenAt(session: ClerkSession, version: EpochMillis): string {
  return optionalIso(session.last_active_at) ?? optionalIso(session.created_at) ?? isoFromMillis(version);
}
