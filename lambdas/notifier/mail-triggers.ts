import type { MailKind } from '../shared/mail-ledger-schema';
import { isAdminMembership, isWelcomeable, membershipView, userView } from './image-views';
import type { StreamChange } from './stream-change';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TriggerConfig {
  readonly adminRoles: readonly string[];
  readonly welcomeMaxAgeDays: number;
}

interface TriggerBase {
  readonly kind: MailKind;
  readonly userId: string;
  /**
   * The entity was created (or, for a membership, last changed) longer ago than
   * welcomeMaxAgeDays when the notifier saw it become mailable: an import or restore, not
   * news. No mail.
   */
  readonly backfill: boolean;
}

export interface WelcomeTrigger extends TriggerBase {
  readonly kind: 'welcome';
}

export interface AdminWelcomeTrigger extends TriggerBase {
  readonly kind: 'admin-welcome';
  readonly orgId: string;
  readonly membershipId: string;
}

export type MailTrigger = WelcomeTrigger | AdminWelcomeTrigger;

/**
 * The mails one committed change of the sync table calls for (docs/notifications.md).
 * Pure: the decision depends only on the images, so any replay of a record decides the same,
 * and the ledger makes the replays harmless.
 */
export function mailTriggersFor(change: StreamChange, config: TriggerConfig, now: number): MailTrigger[] {
  const triggers: MailTrigger[] = [];
  const welcome = welcomeTrigger(change, config, now);
  if (welcome !== undefined) triggers.push(welcome);
  const adminWelcome = adminWelcomeTrigger(change, config, now);
  if (adminWelcome !== undefined) triggers.push(adminWelcome);
  return triggers;
}

/**
 * The welcome follows the change that makes the user welcome-able: synced by a user event (a
 * session or membership processed before `user.created` leaves a partial item without
 * `version`), not deleted, and with a verified primary address. That is the user's first
 * appearance when the address is verified from the start, or the later update that verifies
 * it. Changes that leave the user welcome-able (a sign-in raising `lastSeenAt`, a new name)
 * and changes away from it trigger nothing; the ledger makes a second entry (verified,
 * unverified, verified again) harmless. "First seen" for the backfill rule is that change: the
 * account is older than welcomeMaxAgeDays (by Clerk's `created_at`, whatever order the events
 * came in) when its address is first seen verified, so an import or a long-unverified account
 * gets no welcome. A tombstone never welcomes.
 */
function welcomeTrigger(change: StreamChange, config: TriggerConfig, now: number): WelcomeTrigger | undefined {
  const user = userView(change.newImage);
  if (user === undefined || !isWelcomeable(user) || isWelcomeable(userView(change.oldImage))) return undefined;
  return { kind: 'welcome', userId: user.userId, backfill: isOlderThan(user.createdAt, config.welcomeMaxAgeDays, now) };
}

/**
 * A live membership with an admin role, unless the same membership (same id) was already a
 * live admin: a promotion or a new membership welcomes, a rejoin (new id) welcomes again,
 * other changes of an admin membership do not.
 */
function adminWelcomeTrigger(change: StreamChange, config: TriggerConfig, now: number): AdminWelcomeTrigger | undefined {
  const membership = membershipView(change.newImage);
  if (membership === undefined || !isAdminMembership(membership, config.adminRoles)) return undefined;
  const before = membershipView(change.oldImage);
  if (before?.membershipId === membership.membershipId && isAdminMembership(before, config.adminRoles)) return undefined;
  return {
    kind: 'admin-welcome',
    userId: membership.userId,
    orgId: membership.orgId,
    membershipId: membership.membershipId,
    // updatedAt first: a member promoted today is news even if they joined long ago.
    backfill: isOlderThan(membership.updatedAt ?? membership.createdAt, config.welcomeMaxAgeDays, now),
  };
}

/** An absent or unreadable time is not evidence of a backfill: mail. */
export function isOlderThan(iso: string | undefined, maxAgeDays: number, now: number): boolean {
  if (iso === undefined) return false;
  const at = Date.parse(iso);
  return Number.isFinite(at) && now - at > maxAgeDays * DAY_MS;
}
