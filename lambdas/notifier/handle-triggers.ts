import { MAIL_SKIP_REASONS } from '../shared/metrics-contract';
import { deliverMail, skipped, type Delivery, type MailContext } from './deliver-mail';
import {
  addPendingAdminWelcome,
  parsePendingEntry,
  readPendingAdminWelcomes,
  removePendingAdminWelcome,
  type MailRef,
} from './mail-ledger';
import type { MailOutcomeReporter } from './mail-outcomes';
import type { AdminWelcomeTrigger, WelcomeTrigger } from './mail-triggers';
import { readRecipient } from './sync-table-reads';

export interface TriggerContext extends MailContext {
  readonly report: MailOutcomeReporter;
}

/*
 * Each function handles one trigger and reports every mail it decides on. It returns false
 * when a mail failed: the stream record is then retried, and every step is safe to repeat.
 */

/** The welcome, then the admin welcomes that waited for this user's first appearance. */
export async function handleWelcome(context: TriggerContext, trigger: WelcomeTrigger): Promise<boolean> {
  const welcome: MailRef = { kind: 'welcome', userId: trigger.userId };
  const delivery = await attempt(context, welcome, () =>
    trigger.backfill ? Promise.resolve(skipped(MAIL_SKIP_REASONS.backfill)) : deliverMail(context, welcome),
  );
  return delivery !== undefined && sendPendingAdminWelcomes(context, trigger.userId);
}

/**
 * The recipient's address lives on the user. A user not synced yet gets the membership added
 * to their pending admin welcomes FIRST, and is read again AFTER: whichever of this and the
 * user's first appearance runs second sees the other's write (docs/notifications.md).
 */
export async function handleAdminWelcome(context: TriggerContext, trigger: AdminWelcomeTrigger): Promise<boolean> {
  const mail: MailRef = { kind: 'admin-welcome', userId: trigger.userId, orgId: trigger.orgId, membershipId: trigger.membershipId };
  const pending = { orgId: trigger.orgId, membershipId: trigger.membershipId };
  let addedPending = false;
  const delivery = await attempt(context, mail, async () => {
    if (trigger.backfill) return skipped(MAIL_SKIP_REASONS.backfill);
    let recipient = await readRecipient(context.syncTable, trigger.userId);
    if (recipient.status === 'not-synced') {
      await addPendingAdminWelcome(context.ledger, trigger.userId, pending);
      addedPending = true;
      recipient = await readRecipient(context.syncTable, trigger.userId);
      if (recipient.status === 'not-synced') return skipped(MAIL_SKIP_REASONS.pendingRecipient);
    }
    if (recipient.status === 'deleted') return skipped(MAIL_SKIP_REASONS.deleted);
    return deliverMail(context, mail);
  });
  if (delivery === undefined) return false;
  // The user appeared between our two reads and this attempt dealt with the mail. The user's
  // own record may have read the pending set before we wrote it, so nobody else removes the entry.
  const dealtWith = addedPending && !(delivery.result === 'skipped' && delivery.reason === MAIL_SKIP_REASONS.pendingRecipient);
  return dealtWith ? removePending(context, mail, pending) : true;
}

async function sendPendingAdminWelcomes(context: TriggerContext, userId: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readPendingAdminWelcomes(context.ledger, userId);
  } catch (error) {
    context.report.failed({ kind: 'admin-welcome', userId }, error);
    return false;
  }
  for (const entry of entries) {
    const pending = parsePendingEntry(entry);
    if (pending === undefined) {
      context.logger.warn('pending admin welcome entry not understood, left in place', { userId });
      continue;
    }
    const mail: MailRef = { kind: 'admin-welcome', userId, ...pending };
    // deliverMail checks that this is still a live admin membership of the same id.
    const delivery = await attempt(context, mail, () => deliverMail(context, mail));
    if (delivery === undefined || !(await removePending(context, mail, pending))) return false;
  }
  return true;
}

/** Runs one mail's work and reports it; `undefined` when it failed. */
async function attempt(context: TriggerContext, mail: MailRef, work: () => Promise<Delivery>): Promise<Delivery | undefined> {
  try {
    const delivery = await work();
    context.report.delivered(mail, delivery);
    return delivery;
  } catch (error) {
    context.report.failed(mail, error);
    return undefined;
  }
}

async function removePending(context: TriggerContext, mail: MailRef, pending: { orgId: string; membershipId: string }): Promise<boolean> {
  try {
    await removePendingAdminWelcome(context.ledger, mail.userId, pending);
    return true;
  } catch (error) {
    context.report.failed(mail, error);
    return false;
  }
}
