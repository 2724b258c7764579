import type { RejectionReason } from '../shared/metrics-contract';

/** What the verifier did with one request; reported through `onOutcome`, logged, and counted. */
export interface WebhookOutcome {
  /**
   * accepted: queued, 2xx. ignored: authentic but of a Clerk instance not in the allow-list,
   * acknowledged (2xx) and not queued. not-modelled: authentic, of an event type the table does
   * not store, acknowledged (2xx) and not queued. rejected: the request is wrong, 4xx. failed:
   * our side failed, 5xx (Svix retries).
   */
  readonly result: 'accepted' | 'ignored' | 'not-modelled' | 'rejected' | 'failed';
  readonly statusCode: number;
  /** Error code of a rejection or failure (`UNEXPECTED` for anything not ours). */
  readonly code?: string;
  /** Why a request was rejected, for the `reason` metric dimension. */
  readonly rejection?: RejectionReason;
  readonly svixId?: string;
  readonly eventType?: string;
}
