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
 * The recipient's address lives on the user, who may not be welcome-able yet (not synced, or
 * the address not verified) or may stop being so between two reads (unverified again). So the
 * membership is added to the user's pending admin welcomes FIRST, and the user is read AFTER:
 * whichever of this and the change that makes the user welcome-able runs second sees the
 * other's write (docs/notifications.md). The entry goes once the mail is dealt with.
 */
export async function handleAdminWelcome(context: TriggerContext, trigger: AdminWelcomeTrigger): Promise<boolean> {
  const mail: MailRef = { kind: 'admin-welcome', userId: trigger.userId, orgId: trigger.orgId, membershipId: trigger.membershipId };
  const pending = { orgId: trigger.orgId, membershipId: trigger.membershipId };
  let addedPending = false;
  const delivery = await attempt(context, mail, async () => {
    if (trigger.backfill) return skipped(MAIL_SKIP_REASONS.backfill);
    await addPendingAdminWelcome(context.ledger, trigger.userId, pending);
    addedPending = true;
    // Read before claiming, so a mail that must wait takes no claim; deliverMail reads again under its claim.
    const recipient = await readRecipient(context.syncTable, trigger.userId);
    if (recipient.status === 'not-synced' || recipient.status === 'unverified') return skipped(MAIL_SKIP_REASONS.pendingRecipient);
    if (recipient.status === 'deleted') return skipped(MAIL_SKIP_REASONS.deleted);
    return deliverMail(context, mail);
  });
  if (delivery === undefined) return false;
  // Dealt with (sent, already sent, or never to be sent): the user's record may have read the
  // pending set before we wrote to it, so nobody else removes the entry.
  return addedPending && !stillPending(delivery) ? removePending(context, mail, pending) : true;
}

/** The mail still waits for its recipient: its pending entry must stay for the next welcome-able change. */
function stillPending(delivery: Delivery): boolean {
  return delivery.result === 'skipped' && delivery.reason === MAIL_SKIP_REASONS.pendingRecipient;
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
    // deliverMail checks that this is still a live admin membership of the same id, and the
    // user still welcome-able: a user unverified again since keeps the entry for next time.
    const delivery = await attempt(context, mail, () => deliverMail(context, mail));
    if (delivery === undefined) return false;
    if (!stillPending(delivery) && !(await removePending(context, mail, pending))) return false;
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
