import { ConfigurationError } from '../shared/errors';
import { optionalIntEnv, requireEnv } from '../shared/require-env';
import { NOTIFIER_DEFAULTS, NOTIFIER_ENV } from './notifier-defaults';

/** What the Lambda reads from its environment (set by lib/constructs/mail-notifier.ts). */
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
  const configurationSetName = optionalString(env[NOTIFIER_ENV.sesConfigurationSet]);
  return {
    tableName: requireEnv(NOTIFIER_ENV.tableName, env),
    ledgerTableName: requireEnv(NOTIFIER_ENV.ledgerTableName, env),
    mailFrom: requireEnv(NOTIFIER_ENV.mailFrom, env).trim(),
    ...(configurationSetName === undefined ? {} : { configurationSetName }),
    appName: optionalString(env[NOTIFIER_ENV.appName]) ?? NOTIFIER_DEFAULTS.appName,
    adminRoles: parseAdminRoles(env[NOTIFIER_ENV.adminRoles]),
    welcomeMaxAgeDays: optionalIntEnv(NOTIFIER_ENV.welcomeMaxAgeDays, NOTIFIER_DEFAULTS.welcomeMaxAgeDays, env),
  };
}

/**
 * `org:admin,admin` → both roles; unset or blank → the defaults. An empty entry (`org:admin,,`)
 * is a typo that would silently match nothing, so it is rejected.
 */
export function parseAdminRoles(raw: string | undefined): readonly string[] {
  if (raw === undefined || raw.trim() === '') return NOTIFIER_DEFAULTS.adminRoles;
  const roles = raw.split(',').map((role) => role.trim());
  if (roles.some((role) => role === '')) {
    throw new ConfigurationError(`environment variable ${NOTIFIER_ENV.adminRoles} has an empty entry: "${raw}"`);
  }
  return [...new Set(roles)];
}

function optionalString(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
