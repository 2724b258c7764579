import type { IConstruct } from 'constructs';
import type { ClerkWebhookSyncProps } from './clerk-webhook-sync';
import type { MailNotificationsProps } from './constructs/mail-notifier';

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
} as const;

/** Pipeline props that may come from CDK context instead of code; explicit props win over them. */
export function propsFromContext(scope: IConstruct): ClerkWebhookSyncProps {
  return {
    existingSigningSecretName: optionalStringContext(scope, CONTEXT_KEYS.signingSecretName),
    existingSigningSecretArn: optionalStringContext(scope, CONTEXT_KEYS.signingSecretArn),
    alarmEmail: optionalStringContext(scope, CONTEXT_KEYS.alarmEmail),
    mail: mailPropsFromContext(scope),
    changeEvents: optionalBooleanContext(scope, CONTEXT_KEYS.changeEvents) ? {} : undefined,
  };
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

/** `-c key=true` arrives as a string, a cdk.json value as a boolean: both are read, anything else is refused. */
export function optionalBooleanContext(scope: IConstruct, key: string): boolean | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context value "${key}" must be true or false, got ${JSON.stringify(value)}`);
}
