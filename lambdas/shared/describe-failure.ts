import { ClerkSyncError, MailSendError } from './errors';

/*
 * Failure descriptions for logs, outcomes and metrics. They name errors but never quote a
 * library's message: SES, for one, puts the recipient's address into MessageRejected.
 */

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'non-error thrown';
}

/** Our own errors carry data-free messages; anything else is described by its name only. */
export function describeFailure(error: unknown): string {
  if (error instanceof MailSendError) return `${error.name}: ${error.transportErrorName}`;
  if (error instanceof ClerkSyncError) return `${error.name}: ${error.message}`;
  return errorName(error);
}
