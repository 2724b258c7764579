import { createHmac, randomBytes } from 'node:crypto';
import type { ClerkEventEnvelope } from '../lambdas/shared/clerk-events';
import { SAMPLE_EVENT_TYPES, sampleEvent } from '../lambdas/shared/sample-events';

/** A fresh random Svix-format signing secret. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * A realistic Clerk body of exactly `bytes` bytes: the largest sample event that fits, its
 * `data.public_metadata` padded to the size (Clerk users and organizations carry metadata).
 */
export function clerkBodyOfSize(bytes: number, type?: string): string {
  const candidates = (type === undefined ? SAMPLE_EVENT_TYPES : [type]).map((name) => sampleEvent(name)).filter(
    (event) => Buffer.byteLength(JSON.stringify(withPad(event, ''))) <= bytes,
  );
  if (candidates.length === 0) throw new Error(`no sample event fits in ${bytes} bytes`);
  const base = candidates.reduce((a, b) => (JSON.stringify(a).length >= JSON.stringify(b).length ? a : b));
  const overhead = Buffer.byteLength(JSON.stringify(withPad(base, '')));
  const body = JSON.stringify(withPad(base, 'x'.repeat(bytes - overhead)));
  if (Buffer.byteLength(body) !== bytes) throw new Error(`padding missed: ${Buffer.byteLength(body)} != ${bytes}`);
  return body;
}

function withPad(event: ClerkEventEnvelope, pad: string): ClerkEventEnvelope {
  return { ...event, data: { ...event.data, public_metadata: { notes: pad } } };
}

export interface SignedDelivery {
  readonly svixId: string;
  /** Epoch seconds. */
  readonly timestamp: number;
  readonly body: string;
  /** Lower-case header names, as HTTP API v2 hands them over. */
  readonly headers: Record<string, string>;
}

/**
 * Signs as Svix does (HMAC-SHA256 of `${id}.${timestamp}.${body}`, `v1,<base64>`), with node's
 * crypto so that signing thousands of deliveries costs the bench nothing measurable.
 */
export function signDelivery(secret: string, svixId: string, body: string, atMs: number): SignedDelivery {
  const timestamp = Math.floor(atMs / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${svixId}.${timestamp}.${body}`).digest('base64');
  return {
    svixId,
    timestamp,
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': svixId,
      'svix-timestamp': String(timestamp),
      'svix-signature': `v1,${signature}`,
    },
  };
}

/** A Svix-style message id. */
export function newSvixId(): string {
  return `msg_${randomBytes(14).toString('base64url')}`;
}
