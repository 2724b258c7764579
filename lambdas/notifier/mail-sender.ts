/**
 * What the notifier hands to a transport. SES in Lambda (ses-mail-sender.ts), `.eml` files
 * in a local mailbox under `npm start` (mailbox-mail-sender.ts); tests plug in failing or
 * recording senders. Replacing the transport means implementing this one interface.
 */
import type { MailKind } from '../shared/mail-ledger-schema';

export interface OutgoingMail {
  readonly kind: MailKind;
  /** The recipient: the user's primary email, read from the sync table at send time. */
  readonly to: string;
  readonly subject: string;
  /** Plain text, lines separated by `\n`. */
  readonly text: string;
  readonly userId: string;
  readonly orgId?: string;
  readonly membershipId?: string;
}

export interface SentMail {
  /** Transport's id of the accepted message (SES MessageId, mailbox file name). */
  readonly messageId: string;
}

export interface MailSender {
  /**
   * Resolves once the transport has accepted the mail; rejects when it did not (or cannot say).
   * `signal` aborts the attempt when the notifier's claim on the mail is about to expire.
   */
  send(mail: OutgoingMail, options?: { readonly signal?: AbortSignal }): Promise<SentMail>;
}
