import type { ClerkEventEnvelope } from './clerk-events';

/**
 * The SQS message body the verifier sends and the processor reads: the one contract
 * between the two functions. `version` lets a future format coexist with messages
 * already in flight (they can sit in the queue or DLQ for 14 days).
 */
export interface QueuedEvent {
  readonly version: 1;
  /** Svix message id: the same across retries of one delivery, our idempotency and correlation key. */
  readonly svixId: string;
  /** Sender's signing time, epoch seconds, as received in `svix-timestamp`. */
  readonly svixTimestamp: number;
  /** When the verifier accepted it, ISO-8601 UTC. */
  readonly receivedAt: string;
  /** The verified Clerk event envelope, parsed from the exact bytes that were signed. */
  readonly event: ClerkEventEnvelope;
}

/** SQS message attribute names the verifier sets, so operators can see type and id without reading bodies. */
export const QUEUED_EVENT_ATTRIBUTES = {
  svixId: 'svixId',
  eventType: 'eventType',
} as const;
