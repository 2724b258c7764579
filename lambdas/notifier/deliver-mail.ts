import { MailSendError } from '../shared/errors';
import { MAIL_SKIP_REASONS, type MailSkipReason } from '../shared/metrics-contract';
import { claimWithLease, type LeaseClock } from './claim-with-lease';
import { errorName } from '../shared/describe-failure';
import { markMailSent, releaseClaim, type LedgerTable, type MailRef } from './mail-ledger';
import type { MailSender, OutgoingMail } from './mail-sender';
import type { RecordLog } from './record-log';
import { isAdminMembership } from './image-views';
import { readMembership, readOrganization, readRecipient, type RecipientLookup, type SyncTable } from './sync-table-reads';
import { adminWelcomeMail } from './templates/admin-welcome';
import type { MailContent } from './templates/mail-content';
import { welcomeMail } from './templates/welcome';

export interface MailContext extends LeaseClock {
  readonly syncTable: SyncTable;
  readonly adminRoles: readonly string[];
  readonly ledger: LedgerTable;
  readonly sender: MailSender;
  readonly sendMarginMs: number;
  readonly appName: string;
  readonly logger: RecordLog;
}

export type Delivery =
  | { readonly result: 'sent'; readonly messageId: string }
  | { readonly result: 'skipped'; readonly reason: MailSkipReason };

export const skipped = (reason: MailSkipReason): Delivery => ({ result: 'skipped', reason });

/**
 * Sends one mail at most once: claim in the ledger, read the recipient under the claim, send
 * with an abort before the lease ends, then mark sent. Throws (after releasing the claim) when
 * the mail was not sent and the stream record should be retried.
 */
export async function deliverMail(context: MailContext, mail: MailRef): Promise<Delivery> {
  const claim = await claimWithLease(context.ledger, mail, context);
  if (claim.status === 'sent') return skipped(MAIL_SKIP_REASONS.alreadySent);
  if (claim.attempts > 1) {
    // An earlier attempt claimed and then crashed or failed: it may have sent (docs/notifications.md).
    context.logger.warn('mail claimed again after an earlier attempt', { kind: mail.kind, attempts: claim.attempts });
  }

  let outgoing: OutgoingMail;
  try {
    let organizationName: string | undefined;
    if (mail.kind === 'admin-welcome') {
      const organization = await liveAdminMembershipOrganization(context, mail);
      if (organization === undefined) {
        await releaseAfterSkip(context, mail, claim.claimToken);
        return skipped(MAIL_SKIP_REASONS.deleted);
      }
      organizationName = organization.name;
    }
    const recipient = await readRecipient(context.syncTable, mail.userId);
    if (recipient.status !== 'ready') {
      await releaseAfterSkip(context, mail, claim.claimToken);
      return skipped(skipReasonOf(recipient.status, mail));
    }
    outgoing = { ...mailIds(mail), to: recipient.email, ...render(context, mail, recipient.firstName, organizationName) };
  } catch (error) {
    await releaseAfterFailure(context, mail, claim.claimToken);
    throw error;
  }

  let messageId: string;
  try {
    ({ messageId } = await sendBeforeLeaseEnds(context, outgoing, claim.leaseExpiresAt));
  } catch (error) {
    await releaseAfterFailure(context, mail, claim.claimToken);
    throw asSendError(error);
  }

  // A failure here (throttled ledger) fails the record with the claim left in place: the retry
  // waits out the lease and sends again, one of the duplicate windows the docs name.
  const marked = await markMailSent(context.ledger, mail, claim.claimToken, context.now(), messageId);
  if (!marked) {
    context.logger.warn('mail sent after its claim was taken over; the other attempt may send it too', {
      kind: mail.kind,
      messageId,
    });
  }
  return { result: 'sent', messageId };
}

/**
 * The stream record may be old (a retry, a replay, a notifier behind the table): the membership
 * must still be this one (same id, not replaced by a rejoin), live, and an admin when the mail goes,
 * and its organization not deleted. A membership written under an organization deleted a moment
 * before stays in the table until the processor's check after the write removes it
 * (docs/consistency.md): the organization's tombstone is what tells that it is on its way out.
 * Returns the organization (its name, when synced), or undefined when no mail may go.
 */
async function liveAdminMembershipOrganization(context: MailContext, mail: MailRef): Promise<{ readonly name?: string } | undefined> {
  if (mail.orgId === undefined || mail.membershipId === undefined) return undefined;
  const membership = await readMembership(context.syncTable, mail.orgId, mail.userId);
  if (membership?.membershipId !== mail.membershipId || !isAdminMembership(membership, context.adminRoles)) return undefined;
  const organization = await readOrganization(context.syncTable, mail.orgId);
  return organization.status === 'deleted' ? undefined : organization;
}

function mailIds(mail: MailRef): Pick<OutgoingMail, 'kind' | 'userId' | 'orgId' | 'membershipId'> {
  return {
    kind: mail.kind,
    userId: mail.userId,
    ...(mail.orgId === undefined ? {} : { orgId: mail.orgId }),
    ...(mail.membershipId === undefined ? {} : { membershipId: mail.membershipId }),
  };
}

function skipReasonOf(status: Exclude<RecipientLookup['status'], 'ready'>, mail: MailRef): MailSkipReason {
  if (status === 'no-email') return MAIL_SKIP_REASONS.noEmail;
  // An admin welcome checks for a welcome-able user before it claims; one that lost it since
  // waits for the change that makes the user welcome-able again.
  if ((status === 'not-synced' || status === 'unverified') && mail.kind === 'admin-welcome') return MAIL_SKIP_REASONS.pendingRecipient;
  if (status === 'unverified') return MAIL_SKIP_REASONS.unverified;
  // A welcome's user has been synced (its own change triggered it), so a user that reads as unsynced is gone.
  return MAIL_SKIP_REASONS.deleted;
}

function render(context: MailContext, mail: MailRef, firstName: string | undefined, organizationName: string | undefined): MailContent {
  const name = firstName === undefined ? {} : { firstName };
  if (mail.kind === 'welcome') return welcomeMail({ appName: context.appName, ...name });
  // An organization not synced yet has no name to show: the mail says "your organization" (an id
  // made safe for a mail would be mangled, and means nothing to its reader anyway).
  return adminWelcomeMail({ appName: context.appName, ...(organizationName === undefined ? {} : { organizationName }), ...name });
}

/** The send is aborted sendMarginMs before the lease ends, so that no other attempt can claim while it runs. */
async function sendBeforeLeaseEnds(context: MailContext, mail: OutgoingMail, leaseExpiresAt: number) {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new MailSendError('the claim on this mail is about to expire', 'LeaseExpiring')),
    Math.max(0, leaseExpiresAt - context.sendMarginMs - context.now()),
  );
  try {
    return await context.sender.send(mail, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** Every transport failure becomes a MailSendError that names the transport's error, never quotes it. */
function asSendError(error: unknown): MailSendError {
  if (error instanceof MailSendError) return error;
  const name = errorName(error);
  return new MailSendError(`the mail transport did not accept the mail: ${name}`, name, { cause: error });
}

async function releaseAfterSkip(context: MailContext, mail: MailRef, claimToken: string): Promise<void> {
  try {
    await releaseClaim(context.ledger, mail, claimToken);
  } catch (error) {
    // Nothing was sent: a leftover claim only makes a replay of this record wait for its lease.
    context.logger.warn('claim not released after a skip', { kind: mail.kind, error: errorName(error) });
  }
}

async function releaseAfterFailure(context: MailContext, mail: MailRef, claimToken: string): Promise<void> {
  try {
    const released = await releaseClaim(context.ledger, mail, claimToken);
    if (!released) context.logger.warn('claim was no longer ours to release', { kind: mail.kind });
  } catch (error) {
    // The record fails either way; the retry waits out the lease instead of claiming at once.
    context.logger.warn('claim not released after a failure', { kind: mail.kind, error: errorName(error) });
  }
}
