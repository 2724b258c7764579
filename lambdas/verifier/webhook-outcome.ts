import {
  type ClerkSyncError,
  InvalidSignatureError,
  MalformedHeaderError,
  MalformedWebhookBodyError,
  MethodNotAllowedError,
  MissingHeaderError,
  PayloadTooLargeError,
  TimestampOutOfRangeError,
} from '../shared/errors';
import { REJECTION_REASONS, type RejectionReason } from '../shared/metrics-contract';

/** What the verifier did with one request; reported through `onOutcome`, logged, and counted. */
export interface WebhookOutcome {
  /** accepted: queued, 2xx. rejected: the request is wrong, 4xx. failed: our side failed, 5xx (Svix retries). */
  readonly result: 'accepted' | 'rejected' | 'failed';
  readonly statusCode: number;
  /** Error code of a rejection or failure (`UNEXPECTED` for anything not ours). */
  readonly code?: string;
  /** Why a request was rejected, for the `reason` metric dimension. */
  readonly rejection?: RejectionReason;
  readonly svixId?: string;
  readonly eventType?: string;
}

type ErrorClass = abstract new (...args: never[]) => ClerkSyncError;

/** Every 4xx the verifier answers, by the typed error behind it. */
const REJECTIONS: ReadonlyArray<readonly [ErrorClass, RejectionReason]> = [
  [MethodNotAllowedError, REJECTION_REASONS.method],
  [PayloadTooLargeError, REJECTION_REASONS.size],
  [MissingHeaderError, REJECTION_REASONS.headers],
  [MalformedHeaderError, REJECTION_REASONS.headers],
  [TimestampOutOfRangeError, REJECTION_REASONS.timestamp],
  [InvalidSignatureError, REJECTION_REASONS.signature],
  [MalformedWebhookBodyError, REJECTION_REASONS.body],
];

/** The rejection reason of an error the verifier answers with 4xx; `undefined` for anything else. */
export function rejectionReasonOf(error: unknown): RejectionReason | undefined {
  return REJECTIONS.find(([errorClass]) => error instanceof errorClass)?.[1];
}
