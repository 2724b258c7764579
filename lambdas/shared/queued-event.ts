import { isUtf8 } from 'node:buffer';
import type { ClerkEventEnvelope } from './clerk-events';

/**
 * The SQS message body the verifier sends and the processor reads: the one contract between
 * the two functions. `version` lets a new format coexist with messages already in flight (they
 * can sit in the queue or the DLQ for 14 days): the processor reads every version listed here.
 */
export type QueuedEvent = QueuedEventV1 | QueuedEventV2;

interface QueuedEventBase {
  /** Svix message id: the same across retries of one delivery, our idempotency and correlation key. */
  readonly svixId: string;
  /** Sender's signing time, epoch seconds, as received in `svix-timestamp`. */
  readonly svixTimestamp: number;
  /** When the verifier accepted it, ISO-8601 UTC. */
  readonly receivedAt: string;
}

/**
 * What the verifier sends: the exact bytes that were verified, never parsed and serialised
 * again (a re-serialisation can fail on input that parsed, e.g. nesting deep enough to overflow
 * JSON.stringify's stack, and would change the bytes).
 */
export interface QueuedEventV2 extends QueuedEventBase {
  readonly version: 2;
  /** The verified body: its text when the bytes are valid UTF-8 (nearly always), else their base64. */
  readonly body: string;
  readonly bodyEncoding: BodyEncoding;
}

/** Sent until the verifier queued the verified bytes (v2); still read, for messages sent before. */
export interface QueuedEventV1 extends QueuedEventBase {
  readonly version: 1;
  /** The verified Clerk event envelope, parsed from the exact bytes that were signed. */
  readonly event: ClerkEventEnvelope;
}

export type BodyEncoding = 'utf8' | 'base64';

/**
 * The verified bytes as a v2 body. As text, the message stays readable in the SQS console, and
 * decoding it gives back the same bytes; bytes that are not valid UTF-8 would not survive that
 * round trip, so they go as base64.
 */
export function encodeBody(raw: Buffer, text: string): Pick<QueuedEventV2, 'body' | 'bodyEncoding'> {
  return isUtf8(raw) ? { body: text, bodyEncoding: 'utf8' } : { body: raw.toString('base64'), bodyEncoding: 'base64' };
}

/** The bytes the verifier verified, from a v2 body. */
export function decodeBody(queued: Pick<QueuedEventV2, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(queued.body, queued.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** SQS message attribute names the verifier sets, so operators can see type and id without reading bodies. */
export const QUEUED_EVENT_ATTRIBUTES = {
  svixId: 'svixId',
  eventType: 'eventType',
} as const;

/** The most SQS accepts in one message: body and attributes (names, types and values) together. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
