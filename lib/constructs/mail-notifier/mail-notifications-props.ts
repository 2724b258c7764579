import type { Duration, RemovalPolicy } from 'aws-cdk-lib';

/** What a deployment says about its mails (the stack's `mail` prop; docs/notifications.md). */
export interface MailNotificationsProps {
  /**
   * Sender of every mail: `welcome@acme.example`, or with a display name
   * `Acme <welcome@acme.example>`. Must be covered by `sesIdentity`.
   */
  readonly fromAddress: string;
  /**
   * The SES identity (a verified domain or address in the stack's account and region) the
   * notifier sends as; `ses:SendEmail` is granted on this identity alone. While the SES account
   * is in the sandbox, SES also checks the recipient's identity and refuses unverified recipients.
   * @default - the domain of `fromAddress`
   */
  readonly sesIdentity?: string;
  /**
   * SES configuration set the sends use (event publishing, suppression, dedicated IPs).
   * SES v2 then requires `ses:SendEmail` on the set as well, which is granted.
   * @default - none
   */
  readonly configurationSetName?: string;
  /**
   * Name of the application, shown in the mails.
   * @default NOTIFIER_DEFAULTS.appName
   */
  readonly appName?: string;
  /**
   * Membership roles that get an admin welcome (Clerk role keys).
   * @default NOTIFIER_DEFAULTS.adminRoles (`org:admin`, `admin`)
   */
  readonly adminRoles?: string[];
  /**
   * A user or membership first seen longer than this after its creation is a backfill (an
   * import or a restore): no mail. Whole days.
   * @default MAIL_DEFAULTS.welcomeMaxAge (NOTIFIER_DEFAULTS.welcomeMaxAgeDays, 7 days)
   */
  readonly welcomeMaxAge?: Duration;
  /**
   * Retries of a failing batch by the event source before its metadata goes to the on-failure
   * queue (0 to 10,000; never unbounded, so one bad record cannot stall its shard for a day).
   * @default NOTIFIER_DEFAULTS.retryAttempts (5)
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this are sent to the on-failure queue instead of the function. From
   * 1 minute to under 24 hours: DynamoDB drops stream records after 24 hours, and a record
   * dropped that way leaves no trace in the on-failure queue.
   * @default MAIL_DEFAULTS.maxRecordAge (6 hours)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Stream records per invocation (1 to 10,000).
   * @default NOTIFIER_DEFAULTS.batchSize (10)
   */
  readonly batchSize?: number;
  /**
   * Memory of the notifier function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How far the notifier may fall behind the stream (Lambda's IteratorAge) before the lag alarm fires.
   * @default MAIL_ALARM_DEFAULTS.iteratorAgeThreshold (30 minutes)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /**
   * What happens to the mail ledger when the stack (or the mail feature) is removed.
   * @default RemovalPolicy.DESTROY - see `MailNotifier.ledger`
   */
  readonly ledgerRemovalPolicy?: RemovalPolicy;
}
