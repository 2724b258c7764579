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
  SourceNotAllowedError,
  TimestampOutOfRangeError,
} from '../shared/errors';
import { REJECTION_REASONS, type RejectionReason } from '../shared/metrics-contract';

type ErrorClass = abstract new (...args: never[]) => ClerkSyncError;

interface Response {
  readonly statusCode: number;
  /** Replaces the error's own message for the sender (5xx); absent: the message is the answer. */
  readonly publicMessage?: string;
  /** Why a 4xx rejected the request: the `reason` metric dimension. */
  readonly rejection?: RejectionReason;
}

/**
 * The one place that decides what each failure answers. 4xx: the request is wrong and the message
 * tells the developer what to fix. 5xx: our side failed, Svix retries; the public text stays generic
 * (the request is unauthenticated) and the details go to the log.
 */
const RESPONSES: ReadonlyArray<readonly [ErrorClass, Response]> = [
  [SourceNotAllowedError, { statusCode: 403, rejection: REJECTION_REASONS.source }],
  [MethodNotAllowedError, { statusCode: 405, rejection: REJECTION_REASONS.method }],
  [PayloadTooLargeError, { statusCode: 413, rejection: REJECTION_REASONS.size }],
  [MissingHeaderError, { statusCode: 400, rejection: REJECTION_REASONS.headers }],
  [MalformedHeaderError, { statusCode: 400, rejection: REJECTION_REASONS.headers }],
  [MalformedWebhookBodyError, { statusCode: 400, rejection: REJECTION_REASONS.body }],
  [TimestampOutOfRangeError, { statusCode: 401, rejection: REJECTION_REASONS.timestamp }],
  [InvalidSignatureError, { statusCode: 401, rejection: REJECTION_REASONS.signature }],
  [InvalidSigningSecretError, { statusCode: 500, publicMessage: 'the webhook receiver is misconfigured (signing secret); see its logs' }],
  [ConfigurationError, { statusCode: 500, publicMessage: 'the webhook receiver is misconfigured; see its logs' }],
  [SigningSecretUnavailableError, { statusCode: 503, publicMessage: 'signing secret temporarily unavailable; retry later' }],
  [EnqueueFailedError, { statusCode: 503, publicMessage: 'could not queue the event; retry later' }],
];

const INTERNAL_ERROR = 'internal error; see the webhook receiver logs';

export interface ErrorOutcome {
  readonly statusCode: number;
  /** What the sender reads. */
  readonly publicMessage: string;
  /** Error code for logs and metrics (`UNEXPECTED` for anything not ours). */
  readonly code: string;
  /** Set on every 4xx: why the request was rejected. */
  readonly rejection?: RejectionReason;
}

export function classifyError(error: unknown): ErrorOutcome {
  for (const [errorClass, { statusCode, publicMessage, rejection }] of RESPONSES) {
    if (error instanceof errorClass) {
      return { statusCode, publicMessage: publicMessage ?? error.message, code: error.code, ...(rejection === undefined ? {} : { rejection }) };
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
