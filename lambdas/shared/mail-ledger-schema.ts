/**
 * The mail ledger: the one module that owns the keys and item shapes of the notifier's own
 * table. It records, per real first occurrence, that a mail is being sent or was sent, so a
 * replayed or duplicated stream record never mails twice. A separate table (not items in the
 * sync table): the sync table's contract (docs/table.md) stays as it is, and turning mails off
 * removes the ledger with the rest of the feature.
 */

export const LEDGER_KEYS = {
  partitionKey: 'pk',
} as const;

export type MailKind = 'welcome' | 'admin-welcome';

export const ledgerKeys = {
  /** One welcome per user, ever. */
  welcome: (userId: string) => ({ pk: `WELCOME#${userId}` }),
  /** One admin welcome per membership (a user who leaves and rejoins gets a new membership id). */
  adminWelcome: (membershipId: string) => ({ pk: `ADMIN_WELCOME#${membershipId}` }),
  /**
   * Admin memberships seen before their user was synced (no primary email yet). Written before
   * the user is read, so the user's first appearance always finds them (docs/notifications.md).
   */
  pendingAdminWelcomes: (userId: string) => ({ pk: `PENDING_ADMIN_WELCOME#${userId}` }),
} as const;

export type LedgerStatus = 'sending' | 'sent';

/** A claim (status `sending`) or the record of a sent mail (status `sent`). */
export interface LedgerEntry {
  readonly pk: string;
  readonly kind: MailKind;
  readonly status: LedgerStatus;
  /** Random per attempt: only the attempt that claimed may mark sent or release. */
  readonly claimToken: string;
  /** Epoch ms after which another attempt may take over a `sending` claim (its holder crashed). */
  readonly leaseExpiresAt: number;
  /** Claims taken so far; more than one means a crashed or failed attempt before. */
  readonly attempts: number;
  readonly userId: string;
  readonly orgId?: string;
  readonly membershipId?: string;
  /** ISO-8601, once sent. */
  readonly sentAt?: string;
  /** The sender's message id (SES MessageId, or the .eml file name locally), once sent. */
  readonly messageId?: string;
}

/** Pending admin welcomes of one user: entries `<orgId>|<membershipId>`. */
export interface PendingAdminWelcomes {
  readonly pk: string;
  readonly memberships: ReadonlySet<string>;
}
