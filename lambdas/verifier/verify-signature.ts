import { createHmac } from 'node:crypto';
import { InvalidSignatureError, TimestampOutOfRangeError } from '../shared/errors';
import { SIGNING_SECRET_PREFIX } from './signing-secrets';
import { readWebhookHeaders, type SignedHeaders } from './webhook-headers';

/** Svix and Standard Webhooks reject messages signed more than five minutes from now, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** What a sender reads when nothing matched; the usual cause is a wrong or rotated secret. */
export const NO_SIGNATURE_MATCHED = 'no signature matched: check the signing secret';

/** Decoded HMAC keys of one secret set. */
export type SigningKeys = readonly Buffer[];

// Keyed by the secret array a source returns: decoding happens once per fetched value, not per request.
const keysBySecrets = new WeakMap<readonly string[], SigningKeys>();

/** HMAC keys for validated `whsec_` secrets (see parseSigningSecrets), cached per secret set. */
export function signingKeysFor(secrets: readonly string[]): SigningKeys {
  let keys = keysBySecrets.get(secrets);
  if (keys === undefined) {
    keys = secrets.map((secret) => Buffer.from(secret.slice(SIGNING_SECRET_PREFIX.length), 'base64'));
    keysBySecrets.set(secrets, keys);
  }
  return keys;
}

/** Replay protection: the signed time must lie within the tolerance of now. */
export function assertTimestampFresh(signed: SignedHeaders, nowMs: number): void {
  const nowSeconds = Math.floor(nowMs / 1000);
  const age = nowSeconds - signed.timestamp;
  if (age > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new TimestampOutOfRangeError(
      `${signed.timestampHeader} is ${age} s in the past; at most ${TIMESTAMP_TOLERANCE_SECONDS} s is accepted ` +
        '(Svix re-signs every retry and replay, so this is a captured old request or a wrong clock)',
    );
  }
  if (-age > TIMESTAMP_TOLERANCE_SECONDS) {
    throw new TimestampOutOfRangeError(
      `${signed.timestampHeader} is ${-age} s in the future; at most ${TIMESTAMP_TOLERANCE_SECONDS} s is accepted ` +
        "(check the sender's clock)",
    );
  }
}

/**
 * True when any `v1` signature is the HMAC-SHA256 of `${id}.${timestamp}.${body}` under any key.
 * The body goes in as the exact received bytes. One HMAC per key, its base64 compared in constant
 * time with every candidate (all canonical, 44 characters).
 */
export function signatureMatches(keys: SigningKeys, signed: SignedHeaders, body: Buffer): boolean {
  if (signed.signatures.length === 0) return false;
  // The timestamp as its canonical decimal, like Svix's library: "0123" was signed as "123".
  const prefix = `${signed.id}.${signed.timestamp}.`;
  for (const key of keys) {
    const digest = createHmac('sha256', key).update(prefix).update(body).digest('base64');
    for (const candidate of signed.signatures) {
      if (constantTimeEqual(digest, candidate)) return true;
    }
  }
  return false;
}

/**
 * Equality of two strings whose length is public (here always 44), without an early exit or a
 * branch on their content, so the time taken says nothing about how much of a forged signature
 * was right. Svix's own library compares the same way. Node's timingSafeEqual would need both
 * decoded into Buffers first, which costs more than the comparison and shows on every request.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

/**
 * The whole check in the handler's order (headers, timestamp, signature) for callers that already
 * hold the keys. Throws the typed error of the first failure; returns what was verified.
 */
export function verifyWebhook(
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer,
  keys: SigningKeys,
  nowMs: number,
): SignedHeaders {
  const signed = readWebhookHeaders(headers);
  assertTimestampFresh(signed, nowMs);
  if (!signatureMatches(keys, signed, body)) throw new InvalidSignatureError(NO_SIGNATURE_MATCHED);
  return signed;
}
