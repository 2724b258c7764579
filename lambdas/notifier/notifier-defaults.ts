/**
 * The notifier's settings as plain numbers: the Lambda code reads them from here, the CDK
 * stack and the local pipeline re-export them (lib/pipeline-defaults.ts would bundle
 * aws-cdk-lib into the function).
 */
export const NOTIFIER_DEFAULTS = {
  /** Function timeout, seconds: room to wait out a crashed attempt's lease and still send. */
  timeoutSeconds: 60,
  /**
   * How long a `sending` claim in the ledger is honoured. A live attempt never holds it longer:
   * its send is aborted `sendMarginMs` before the lease ends.
   */
  leaseMs: 20_000,
  /** The send is aborted this long before the lease ends, so the attempt can still release it. */
  sendMarginMs: 3_000,
  /** Stream records per invocation. */
  batchSize: 10,
  /** Retries of a failing batch by the event source before it goes to the on-failure queue. */
  retryAttempts: 5,
  /** Records older than this go to the on-failure queue instead of being retried (seconds). */
  maxRecordAgeSeconds: 6 * 60 * 60,
  /** A user (or membership) created longer ago than this when first seen is a backfill: no mail. */
  welcomeMaxAgeDays: 7,
  /** Clerk's built-in admin role key, and the key of instances created before custom roles. */
  adminRoles: ['org:admin', 'admin'] as readonly string[],
  /** Shown in the mail templates when no app name is configured. */
  appName: 'our app',
} as const;

/** Environment variables of the notifier function (set by lib/constructs/mail-notifier.ts). */
export const NOTIFIER_ENV = {
  tableName: 'TABLE_NAME',
  ledgerTableName: 'LEDGER_TABLE_NAME',
  /** Sender address, optionally with a display name: `Acme <welcome@acme.example>`. */
  mailFrom: 'MAIL_FROM',
  /** Optional SES configuration set for the sends. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Optional; default NOTIFIER_DEFAULTS.appName. */
  appName: 'APP_NAME',
  /** Optional, comma-separated; default NOTIFIER_DEFAULTS.adminRoles. */
  adminRoles: 'ADMIN_ROLES',
  /** Optional positive integer; default NOTIFIER_DEFAULTS.welcomeMaxAgeDays. */
  welcomeMaxAgeDays: 'WELCOME_MAX_AGE_DAYS',
} as const;
