import { ConfigurationError } from '../shared/errors';
import { optionalIntEnv, optionalString, requireEnv } from '../shared/require-env';
import type { ClientTimeouts } from '../shared/sdk-client-options';
import { parseMailAddress } from './mail-address';

/**
 * The notifier's configuration: the environment variables lib/constructs/mail-notifier sets, the
 * defaults of its settings and how they are read and checked. The construct, the function, the
 * local pipeline and `npm run replay-mails` all take them from here. Plain values only: the
 * function bundles this module, and aws-cdk-lib would add tens of MB (lib/pipeline-defaults.ts
 * wraps the durations for the stack).
 */

export { type MailAddress, parseMailAddress } from './mail-address';

/** Environment variables of the notifier function. */
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

export const NOTIFIER_DEFAULTS = {
  /** Function timeout, seconds: room to wait out a crashed attempt's lease and still send. */
  timeoutSeconds: 60,
  /**
   * How long a `sending` claim in the ledger is honoured. A live attempt never holds it longer:
   * its send is aborted `sendMarginMs` before the lease ends.
   */
  leaseMs: 20_000,
  /**
   * The send is aborted this long before the lease ends, so the attempt can still mark the mail
   * sent, or release its claim, before another attempt may claim it: at least as long as a ledger
   * call that runs into every timeout of `awsCalls`, backoff included (worstCaseCallMs: 6 s).
   */
  sendMarginMs: 6_000,
  /**
   * Every DynamoDB call (ledger, sync table): at most three attempts of 1 s, so even a hung
   * call fails inside `sendMarginMs` (6 s with the SDK's longest backoff, worstCaseCallMs) and
   * the failure is logged long before the function timeout.
   */
  awsCalls: { connectionTimeoutMs: 1_000, requestTimeoutMs: 1_000, maxAttempts: 3 } satisfies ClientTimeouts,
  /**
   * SES SendEmail: at most three attempts of 3.5 s, which end (13.5 s with the longest backoff)
   * before the abort at `leaseMs - sendMarginMs` (14 s). A retried SendEmail whose first answer was lost can send
   * twice: a window docs/notifications.md names.
   */
  sesCalls: { connectionTimeoutMs: 2_000, requestTimeoutMs: 3_500, maxAttempts: 3 } satisfies ClientTimeouts,
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

/** What the Lambda reads from its environment. */
export interface NotifierConfig {
  readonly tableName: string;
  readonly ledgerTableName: string;
  readonly mailFrom: string;
  readonly configurationSetName?: string;
  readonly appName: string;
  readonly adminRoles: readonly string[];
  readonly welcomeMaxAgeDays: number;
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readNotifierConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const tableName = requireEnv(NOTIFIER_ENV.tableName, env);
  const ledgerTableName = requireEnv(NOTIFIER_ENV.ledgerTableName, env);
  const mailFrom = requireEnv(NOTIFIER_ENV.mailFrom, env).trim();
  // Checked here, so a sender SES could never take fails at cold start rather than at every send.
  parseMailAddress(mailFrom, `environment variable ${NOTIFIER_ENV.mailFrom}`);
  const configurationSetName = optionalString(env[NOTIFIER_ENV.sesConfigurationSet]);
  return {
    tableName,
    ledgerTableName,
    mailFrom,
    ...(configurationSetName === undefined ? {} : { configurationSetName }),
    appName: optionalString(env[NOTIFIER_ENV.appName]) ?? NOTIFIER_DEFAULTS.appName,
    adminRoles: parseAdminRoles(env[NOTIFIER_ENV.adminRoles]),
    welcomeMaxAgeDays: optionalIntEnv(NOTIFIER_ENV.welcomeMaxAgeDays, NOTIFIER_DEFAULTS.welcomeMaxAgeDays, env),
  };
}

/**
 * The one parser of admin roles: a list (the construct's prop) or its comma-separated form (the
 * function's variable, the scripts' flag), `org:admin, admin` → both roles, duplicates dropped;
 * unset or blank → the defaults. Every role is a Clerk role key without spaces or commas (the
 * list travels as one comma-separated variable), and there is at least one. An empty entry
 * (`org:admin,,`) is a typo that would silently match nothing, so it is rejected.
 */
export function parseAdminRoles(
  raw: string | readonly string[] | undefined,
  source: string = `environment variable ${NOTIFIER_ENV.adminRoles}`,
): readonly string[] {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return NOTIFIER_DEFAULTS.adminRoles;
  let roles: readonly string[];
  if (typeof raw === 'string') {
    roles = raw.split(',').map((role) => role.trim());
    if (roles.some((role) => role === '')) throw new ConfigurationError(`${source} has an empty entry: "${raw}"`);
  } else {
    roles = raw;
  }
  if (roles.length === 0 || roles.some((role) => !/^[^\s,]+$/.test(role))) {
    throw new ConfigurationError(`${source} must be one or more role keys without spaces or commas, got ${JSON.stringify(roles)}`);
  }
  return [...new Set(roles)];
}
