import { type Duration, Token } from 'aws-cdk-lib';
import { NOTIFIER_DEFAULTS, parseAdminRoles, parseMailAddress } from '../../../lambdas/notifier/notifier-config';
import { isPositiveInteger } from '../../../lambdas/shared/require-env';
import { MAIL_DEFAULTS } from '../../pipeline-defaults';
import { checkStreamReaderLimits } from '../stream-reader-parts';
import { MAIL_ALARM_DEFAULTS } from './mail-alarms';
import type { MailNotificationsProps } from './mail-notifications-props';

/** The `mail` props with their defaults applied, checked at synth: a deployment that could never send fails here. */
export interface MailSettings {
  readonly adminRoles: readonly string[];
  readonly welcomeMaxAgeDays: number;
  readonly appName: string;
  readonly retryAttempts: number;
  readonly maxRecordAge: Duration;
  readonly batchSize: number;
  readonly iteratorAgeThreshold: Duration;
}

/**
 * Settings the function also reads (roles, days) go through the notifier's own parsers
 * (lambdas/notifier/notifier-config.ts), so the stack refuses what the function would; the
 * event source's are checked against Lambda's limits.
 */
export function mailSettings(props: MailNotificationsProps): MailSettings {
  const adminRoles = parseAdminRoles(props.adminRoles, 'mail adminRoles');
  const welcomeMaxAge = props.welcomeMaxAge ?? MAIL_DEFAULTS.welcomeMaxAge;
  const welcomeMaxAgeDays = welcomeMaxAge.toDays({ integral: false });
  if (!isPositiveInteger(welcomeMaxAgeDays)) {
    throw new Error(`mail welcomeMaxAge must be a whole number of days, at least 1, got ${welcomeMaxAge.toHumanString()}`);
  }
  const retryAttempts = props.retryAttempts ?? NOTIFIER_DEFAULTS.retryAttempts;
  const maxRecordAge = props.maxRecordAge ?? MAIL_DEFAULTS.maxRecordAge;
  const batchSize = props.batchSize ?? NOTIFIER_DEFAULTS.batchSize;
  const iteratorAgeThreshold = props.iteratorAgeAlarmThreshold ?? MAIL_ALARM_DEFAULTS.iteratorAgeThreshold;
  checkStreamReaderLimits('mail', { batchSize, retryAttempts, maxRecordAge, iteratorAgeAlarmThreshold: iteratorAgeThreshold });
  if (props.appName !== undefined && props.appName.trim() === '') {
    throw new Error('mail appName must not be empty');
  }
  const appName = props.appName ?? NOTIFIER_DEFAULTS.appName;
  return { adminRoles, welcomeMaxAgeDays, appName, retryAttempts, maxRecordAge, batchSize, iteratorAgeThreshold };
}

/** `welcome@acme.example` or `Acme <welcome@acme.example>` -> the address and its domain (lower case), by the notifier's parser. */
export function parseFromAddress(fromAddress: string): { address: string; domain: string } {
  const { address, domain } = parseMailAddress(fromAddress, 'mail fromAddress');
  return { address, domain };
}

/**
 * The SES identity to grant `ses:SendEmail` on: the given one (checked to cover the sender, or
 * SES would refuse every send at run time) or the sender's domain.
 */
export function sesIdentityFor(fromAddress: string, sesIdentity?: string): string {
  if (Token.isUnresolved(fromAddress)) {
    if (sesIdentity === undefined) {
      throw new Error('mail sesIdentity is required when fromAddress is only known at deploy time (a token)');
    }
    return sesIdentity;
  }
  const { address, domain } = parseFromAddress(fromAddress);
  if (sesIdentity === undefined) return domain;
  if (Token.isUnresolved(sesIdentity)) return sesIdentity;
  const identity = sesIdentity.trim().toLowerCase();
  if (!/^[^\s*?/:,<>]+$/.test(identity)) {
    throw new Error(`mail sesIdentity must be a domain or an e-mail address, got "${sesIdentity}"`);
  }
  const covers = identity.includes('@')
    ? identity === address.toLowerCase()
    : domain === identity || domain.endsWith(`.${identity}`);
  if (!covers) {
    throw new Error(
      `mail sesIdentity "${sesIdentity}" does not cover the sender ${address}: SES would refuse every send. ` +
        `Give the sender's domain (${domain}) or the address itself.`,
    );
  }
  return identity;
}
