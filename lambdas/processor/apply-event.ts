import type { ApplyContext, ApplyResult } from './apply-context';
import { applyMembershipDeleted, applyMembershipUpsert } from './apply-membership';
import { applyOrganizationDeleted } from './apply-organization-deleted';
import { applyOrganizationUpsert } from './apply-organization-upsert';
import { applySessionCreated } from './apply-session-created';
import { applySessionEnded } from './apply-session-ended';
import { applyUserDeleted } from './apply-user-deleted';
import { applyUserUpsert } from './apply-user-upsert';
import type { ParsedModelledEvent } from './parse-clerk-event';

/** Applies one modelled event to the table (docs/table.md), idempotently and order-independently (docs/consistency.md). */
export async function applyEvent(context: ApplyContext, parsed: ParsedModelledEvent): Promise<ApplyResult> {
  const { event, version, occurredAt } = parsed;
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
      return applyUserUpsert(context, event.data, version);
    case 'user.deleted':
      return applyUserDeleted(context, event.data.id, version, occurredAt);
    case 'session.created':
      return applySessionCreated(context, event.data, version);
    case 'session.ended':
      return applySessionEnded(context, event.data, 'ended', version);
    case 'session.removed':
      return applySessionEnded(context, event.data, 'removed', version);
    case 'session.revoked':
      return applySessionEnded(context, event.data, 'revoked', version);
    case 'organization.created':
    case 'organization.updated':
      return applyOrganizationUpsert(context, event.data, version);
    case 'organization.deleted':
      return applyOrganizationDeleted(context, event.data.id, version, occurredAt);
    case 'organizationMembership.created':
    case 'organizationMembership.updated':
      return applyMembershipUpsert(context, event.data, version);
    case 'organizationMembership.deleted':
      return applyMembershipDeleted(context, event.data, version, occurredAt);
  }
}
