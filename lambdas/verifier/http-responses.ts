import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type ClerkSyncError,
  ConfigurationError,
  EnqueueFailedError,
  InvalidSignatureError,
  InvalidSigningSecretError,
  MalformedHeaderError,
  MalformedWebhookBodyError,
  MethodNotAllowedError,
  MissingHeaderError,
  PayloadTooLargeError,
  SigningSecretUnavailableError,
  TimestampOutOfRangeError,
} from '../shared/errors';

type ErrorClass = abstract new (...args: never[]) => ClerkSyncError;

/**
 * The one place that decides what each failure answers. 4xx: the request is wrong and the message
 * tells the developer what to fix. 5xx: our side failed, Svix retries; the public text stays generic
 * (the request is unauthenticated) and the details go to the log.
 */
const RESPONSES: ReadonlyArray<readonly [ErrorClass, number, string | undefined]> = [
  [MethodNotAllowedError, 405, undefined],
  [PayloadTooLargeError, 413, undefined],
  [MissingHeaderError, 400, undefined],
  [MalformedHeaderError, 400, undefined],
  [MalformedWebhookBodyError, 400, undefined],
  [TimestampOutOfRangeError, 401, undefined],
  [InvalidSignatureError, 401, undefined],
  [InvalidSigningSecretError, 500, 'the webhook receiver is misconfigured (signing secret); see its logs'],
  [ConfigurationError, 500, 'the webhook receiver is misconfigured; see its logs'],
  [SigningSecretUnavailableError, 503, 'signing secret temporarily unavailable; retry later'],
  [EnqueueFailedError, 503, 'could not queue the event; retry later'],
];

const INTERNAL_ERROR = 'internal error; see the webhook receiver logs';

export interface ErrorOutcome {
  readonly statusCode: number;
  /** What the sender reads. */
  readonly publicMessage: string;
  /** Error code for logs and metrics (`UNEXPECTED` for anything not ours). */
  readonly code: string;
}

export function classifyError(error: unknown): ErrorOutcome {
  for (const [errorClass, statusCode, publicMessage] of RESPONSES) {
    if (error instanceof errorClass) {
      return { statusCode, publicMessage: publicMessage ?? error.message, code: error.code };
    }
  }
  return { statusCode: 500, publicMessage: INTERNAL_ERROR, code: 'UNEXPECTED' };
}

export function jsonResponse(
  statusCode: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(outcome: ErrorOutcome): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = outcome.statusCode === 405 ? { allow: 'POST' } : {};
  return jsonResponse(outcome.statusCode, { error: outcome.publicMessage }, headers);
}
