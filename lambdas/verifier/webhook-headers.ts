import { MalformedHeaderError, MissingHeaderError } from '../shared/errors';

/** What the signature covers, read from the request headers. */
export interface SignedHeaders {
  /** Message id (`svix-id`): stable across retries of one delivery. */
  readonly id: string;
  /** Signing time, epoch seconds. */
  readonly timestamp: number;
  /** Name of the header the timestamp came from, for error messages. */
  readonly timestampHeader: string;
  /** Decoded `v1` signatures, each exactly 32 bytes (an HMAC-SHA256). */
  readonly signatures: readonly Buffer[];
}

type HeaderMap = Readonly<Record<string, string | undefined>>;

const HEADER_NAMES = {
  id: ['svix-id', 'webhook-id'],
  timestamp: ['svix-timestamp', 'webhook-timestamp'],
  signature: ['svix-signature', 'webhook-signature'],
} as const;

const DIGITS = /^[0-9]+$/;

/**
 * The base64 of a 32-byte digest, in canonical form: 43 characters, the last of which leaves its
 * two spare bits at zero, then one `=`. Svix's library compares base64 strings, so a non-canonical
 * or unpadded spelling never matches there; requiring the canonical form lets us compare decoded
 * bytes and still accept exactly what it accepts.
 */
const CANONICAL_DIGEST_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const V1_PREFIX = 'v1,';

/**
 * Reads the Svix headers, or their Standard Webhooks (`webhook-*`) equivalents. HTTP API v2
 * lower-cases header names. Each field prefers the `svix-` name, as Svix's own library does.
 */
export function readWebhookHeaders(headers: HeaderMap): SignedHeaders {
  const [idName, id] = pick(headers, HEADER_NAMES.id);
  const [timestampHeader, rawTimestamp] = pick(headers, HEADER_NAMES.timestamp);
  const [signatureName, rawSignature] = pick(headers, HEADER_NAMES.signature);
  requirePresent(idName, id, HEADER_NAMES.id);
  requirePresent(timestampHeader, rawTimestamp, HEADER_NAMES.timestamp);
  requirePresent(signatureName, rawSignature, HEADER_NAMES.signature);

  // Stricter than Svix's parseInt, which reads "12abc" as 12: a sender never produces that.
  if (!DIGITS.test(rawTimestamp)) {
    throw new MalformedHeaderError(`${timestampHeader} must be the signing time in epoch seconds (digits only)`);
  }
  return {
    id,
    timestamp: Number(rawTimestamp),
    timestampHeader,
    signatures: readV1Signatures(signatureName, rawSignature),
  };
}

function pick(headers: HeaderMap, [svixName, webhookName]: readonly [string, string]): [string, string | undefined] {
  const svixValue = headers[svixName];
  return svixValue !== undefined ? [svixName, svixValue] : [webhookName, headers[webhookName]];
}

function requirePresent(
  name: string,
  value: string | undefined,
  [svixName, webhookName]: readonly [string, string],
): asserts value is string {
  if (value === undefined) throw new MissingHeaderError(`missing header ${svixName} (or ${webhookName})`);
  if (value === '') throw new MissingHeaderError(`header ${name} is empty`);
}

/**
 * The header is a space-separated list of `<version>,<base64>`; other versions (v1a, v2) are
 * skipped. When HTTP repeats a header, API Gateway joins the values with commas, so only the text
 * up to the next comma is the signature (Svix's library reads it the same way).
 */
function readV1Signatures(headerName: string, value: string): Buffer[] {
  let v1Entries = 0;
  const signatures: Buffer[] = [];
  for (const entry of value.split(' ')) {
    if (!entry.startsWith(V1_PREFIX)) continue;
    v1Entries += 1;
    const end = entry.indexOf(',', V1_PREFIX.length);
    const encoded = end === -1 ? entry.slice(V1_PREFIX.length) : entry.slice(V1_PREFIX.length, end);
    if (CANONICAL_DIGEST_BASE64.test(encoded)) signatures.push(Buffer.from(encoded, 'base64'));
  }
  if (v1Entries === 0) {
    throw new MalformedHeaderError(`${headerName} has no "v1,<base64>" entry`);
  }
  return signatures;
}
