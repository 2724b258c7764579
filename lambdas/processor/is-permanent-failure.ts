import { MalformedEventError, MalformedMessageError } from '../shared/errors';

/**
 * Failures no retry can fix: they go to the DLQ at once. DynamoDB's ValidationException means
 * the request itself is unacceptable (an item over 400 KB, say). Everything else (throttling,
 * timeouts, outages, bugs we did not foresee) is retried by SQS and reaches the DLQ only after
 * maxReceiveCount deliveries.
 */
export function isPermanentFailure(error: unknown): boolean {
  return (
    error instanceof MalformedMessageError ||
    error instanceof MalformedEventError ||
    (error instanceof Error && error.name === 'ValidationException')
  );
}

/**
 * A short description for logs and the DLQ's errorReason attribute: name and message, because
 * DynamoDB's and SQS's messages say what an operator needs (which limit, which timeout) and
 * carry no item data. Not lambdas/shared/describe-failure.ts, which names library errors only:
 * SES quotes recipients' addresses in its messages.
 */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
}
