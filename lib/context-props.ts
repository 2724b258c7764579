import type { IConstruct } from 'constructs';
import { splitList } from '../lambdas/shared/require-env';
import { parseInstanceIds } from '../lambdas/verifier/verifier-config';
import type { ClerkWebhookSyncProps } from './clerk-webhook-sync';
import type { MailNotificationsProps } from './constructs/mail-notifier';
import type { ReconcileProps } from './constructs/reconciliation';

/** Context keys the app reads (`cdk synth -c signingSecretName=...`). */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  signingSecretName: 'signingSecretName',
  signingSecretArn: 'signingSecretArn',
  alarmEmail: 'alarmEmail',
  /** Sender address of the mails; turns mail notifications on. */
  mailFrom: 'mailFrom',
  /** SES identity to send as (default: the domain of mailFrom). */
  mailSesIdentity: 'mailSesIdentity',
  /** Application name shown in the mails. */
  appName: 'appName',
  /** `true` turns change events on, with a new bus (docs/change-events.md). */
  changeEvents: 'changeEvents',
  /** `true` turns X-Ray active tracing on for every function (off by default). */
  tracing: 'tracing',
  /** Clerk instance ids whose events are applied, separated by commas or spaces. */
  allowedInstanceIds: 'allowedInstanceIds',
  /** `svix`, or addresses and CIDR ranges separated by commas or spaces, the verifier accepts requests from. */
  allowedSourceIps: 'allowedSourceIps',
  /** Secrets Manager secret (name) holding the Clerk secret key; turns scheduled reconciliation on. */
  reconcileSecretKeySecretName: 'reconcileSecretKeySecretName',
  /** When sweeps start (default `rate(1 day)`). */
  reconcileSchedule: 'reconcileSchedule',
  /** Requests per second to Clerk (default: 80% of the key's instance limit). */
  reconcileRequestsPerSecond: 'reconcileRequestsPerSecond',
  /** `false` turns the sweep's prune off (default on). */
  reconcilePrune: 'reconcilePrune',
} as const;

/** Pipeline props that may come from CDK context instead of code; explicit props win over them. */
export function propsFromContext(scope: IConstruct): ClerkWebhookSyncProps {
  return {
    existingSigningSecretName: optionalStringContext(scope, CONTEXT_KEYS.signingSecretName),
    existingSigningSecretArn: optionalStringContext(scope, CONTEXT_KEYS.signingSecretArn),
    alarmEmail: optionalStringContext(scope, CONTEXT_KEYS.alarmEmail),
    allowedInstanceIds: listContext(scope, CONTEXT_KEYS.allowedInstanceIds, parseInstanceIds),
    // Checked (and `svix` expanded) by the verifier construct, with the function's own parser.
    allowedSourceIps: listContext(scope, CONTEXT_KEYS.allowedSourceIps, splitList),
    mail: mailPropsFromContext(scope),
    changeEvents: optionalBooleanContext(scope, CONTEXT_KEYS.changeEvents) ? {} : undefined,
    tracing: optionalBooleanContext(scope, CONTEXT_KEYS.tracing),
    reconcile: reconcilePropsFromContext(scope),
  };
}

function reconcilePropsFromContext(scope: IConstruct): ReconcileProps | undefined {
  const secretKeySecretName = optionalStringContext(scope, CONTEXT_KEYS.reconcileSecretKeySecretName);
  const schedule = optionalStringContext(scope, CONTEXT_KEYS.reconcileSchedule);
  const rate = optionalStringContext(scope, CONTEXT_KEYS.reconcileRequestsPerSecond);
  const prune = optionalBooleanContext(scope, CONTEXT_KEYS.reconcilePrune);
  if (secretKeySecretName === undefined) {
    if (schedule !== undefined || rate !== undefined || prune !== undefined) {
      throw new Error(
        `context values "${CONTEXT_KEYS.reconcileSchedule}", "${CONTEXT_KEYS.reconcileRequestsPerSecond}" and "${CONTEXT_KEYS.reconcilePrune}" configure reconciliation, which only "${CONTEXT_KEYS.reconcileSecretKeySecretName}" turns on: give it too`,
      );
    }
    return undefined;
  }
  const requestsPerSecond = rate === undefined ? undefined : Number(rate);
  if (requestsPerSecond !== undefined && !(requestsPerSecond > 0 && Number.isFinite(requestsPerSecond))) {
    throw new Error(`context value "${CONTEXT_KEYS.reconcileRequestsPerSecond}" must be a positive number, got "${rate}"`);
  }
  return {
    secretKeySecretName,
    ...(schedule === undefined ? {} : { schedule }),
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
    ...(prune === undefined ? {} : { prune }),
  };
}

/** A list given as one string, separated by commas or spaces (`-c key="a,b"`). */
function listContext(scope: IConstruct, key: string, parse: (value: string, source: string) => string[]): string[] | undefined {
  const value = optionalStringContext(scope, key);
  return value === undefined ? undefined : parse(value, `context value "${key}"`);
}

function mailPropsFromContext(scope: IConstruct): MailNotificationsProps | undefined {
  const fromAddress = optionalStringContext(scope, CONTEXT_KEYS.mailFrom);
  const sesIdentity = optionalStringContext(scope, CONTEXT_KEYS.mailSesIdentity);
  const appName = optionalStringContext(scope, CONTEXT_KEYS.appName);
  if (fromAddress === undefined) {
    if (sesIdentity !== undefined || appName !== undefined) {
      throw new Error(
        `context values "${CONTEXT_KEYS.mailSesIdentity}" and "${CONTEXT_KEYS.appName}" configure mails, which only "${CONTEXT_KEYS.mailFrom}" turns on: give ${CONTEXT_KEYS.mailFrom} too`,
      );
    }
    return undefined;
  }
  return { fromAddress, sesIdentity, appName };
}

export function optionalStringContext(scope: IConstruct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`context value "${key}" must be a non-empty string`);
  }
  return value;
}

/** `-c key=true` arrives as the string "true"; cdk.json may hold a JSON boolean. Anything else is refused. */
export function optionalBooleanContext(scope: IConstruct, key: string): boolean | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context value "${key}" must be true or false, got ${JSON.stringify(value)}`);
}
