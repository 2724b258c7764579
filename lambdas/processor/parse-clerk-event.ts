import {
  isModelledEventType,
  type ClerkEventEnvelope,
  type EpochMillis,
  type ModelledClerkEvent,
  type ModelledEventType,
} from '../shared/clerk-events';
import { MalformedEventError } from '../shared/errors';
import { optionalMillis, requireMillis, requireRecord, requireString } from './read-fields';

export interface ParsedModelledEvent {
  readonly modelled: true;
  readonly event: ModelledClerkEvent;
  /** Id of the user, session, organization or membership the event is about. */
  readonly entityId: string;
  /** Ordering version (epoch ms): `data.updated_at`, else the envelope timestamp. */
  readonly version: EpochMillis;
  /** When Clerk emitted the event (envelope timestamp), else `version`: a deletion's time. */
  readonly occurredAt: EpochMillis;
}

export interface ParsedUnmodelledEvent {
  readonly modelled: false;
  readonly type: string;
}

export type ParsedClerkEvent = ParsedModelledEvent | ParsedUnmodelledEvent;

/**
 * Checks that a modelled event carries every field the table cannot do without, and
 * computes its ordering version. Throws `MalformedEventError` (dead-lettered, never retried)
 * when it does not; unknown event types pass through as unmodelled.
 */
export function parseClerkEvent(envelope: ClerkEventEnvelope): ParsedClerkEvent {
  const { type } = envelope;
  if (!isModelledEventType(type)) return { modelled: false, type };
  const data = requireRecord(envelope.data, 'data', type);
  const entityId = requireString(data.id, 'data.id', type);
  requireTypeSpecificFields(type, data);

  const timestamp = optionalMillis(envelope.timestamp);
  const version = optionalMillis(data.updated_at) ?? timestamp;
  if (version === undefined) {
    throw new MalformedEventError(`${type}: neither data.updated_at nor the envelope timestamp is an epoch time`);
  }
  // Validated above: every field the appliers rely on is present with the declared type.
  const event = envelope as unknown as ModelledClerkEvent;
  return { modelled: true, event, entityId, version, occurredAt: timestamp ?? version };
}

function requireTypeSpecificFields(type: ModelledEventType, data: Record<string, unknown>): void {
  switch (type) {
    case 'session.created':
    case 'session.ended':
    case 'session.removed':
    case 'session.revoked':
      requireString(data.user_id, 'data.user_id', type);
      return;
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
      requireString(data.role, 'data.role', type);
      requireMembershipParents(type, data);
      return;
    case 'organizationMembership.deleted':
      requireMembershipParents(type, data);
      return;
    case 'user.created':
    case 'user.updated':
    case 'user.deleted':
    case 'organization.created':
    case 'organization.updated':
    case 'organization.deleted':
      return;
  }
}

/** A membership is keyed by organization and user, and ordered by its creation time (its generation). */
function requireMembershipParents(type: ModelledEventType, data: Record<string, unknown>): void {
  requireString(requireRecord(data.organization, 'data.organization', type).id, 'data.organization.id', type);
  requireString(
    requireRecord(data.public_user_data, 'data.public_user_data', type).user_id,
    'data.public_user_data.user_id',
    type,
  );
  requireMillis(data.created_at, 'data.created_at', type);
}
