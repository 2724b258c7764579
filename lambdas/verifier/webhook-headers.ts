import { MalformedHeaderError, MissingHeaderError } from '../shared/errors';

/** What the signature covers, read from the request headers. */
export interface SignedHeaders {
  /** Message id (`svix-id`): stable across retries of one delivery. */
  readonly id: string;
  /** Signing time, epoch seconds. */
  readonly timestamp: number;
  /** Name of the header the timestamp came from, for error messages. */
  readonly timestampHeader: string;
  /**
   * The `v1` signatures in canonical base64 (44 characters: a 32-byte HMAC-SHA256). Kept as text:
   * comparing our digest's base64 with them costs less than decoding each one.
   */
  readonly signatures: readonly string[];
}

type HeaderMap = Readonly<Record<string, string | undefined>>;

const HEADER_NAMES = {
  id: ['svix-id', 'webhook-id'],
  timestamp: ['svix-timestamp', 'webhook-timestamp'],
  signature: ['svix-signature', 'webhook-signature'],
} as const;

const DIGITS = /^[0-9]+$/;

/** Longest message id accepted. Svix's are `msg_` and 27 base62 characters. */
export const MAX_ID_LENGTH = 128;
/**
 * Most `v1` signatures in one request. Svix sends one, two while a secret is being rotated; each
 * candidate is another guess at the key, so a request may not bring hundreds.
 */
export const MAX_V1_SIGNATURES = 5;

const V1_PREFIX = 'v1,';
/** Length of the canonical base64 of a 32-byte digest: 43 characters and one `=`. */
const DIGEST_BASE64_LENGTH = 44;
const PADDING = 0x3d; // '='

/**
 * The base64 of a 32-byte digest, in canonical form: 43 characters, the last of which leaves its
 * two spare bits at zero, then one `=`. Svix's library compares base64 strings, so a non-canonical
 * or unpadded spelling never matches there; only canonical candidates are kept, and they can match
 * only the canonical base64 Node produces for our digest. Lookup tables rather than a regular expression:
 * this runs on every request, and the verification's fixed costs are what a small body pays.
 */
const BASE64_CHAR = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const LAST_DIGEST_CHAR = charTable('AEIMQUYcgkosw048');
/**
 * A message id: Svix's base62 ids with their `msg_` prefix, and the UUIDs and separators Standard
 * Webhooks senders use. A regular expression here: V8 compiles it to a loop faster than one in
 * JavaScript over a lookup table.
 */
const MESSAGE_ID = new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_ID_LENGTH}}$`);

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let index = 0; index < chars.length; index += 1) table[chars.charCodeAt(index)] = 1;
  return table;
}

/**
 * Reads the Svix headers, or their Standard Webhooks (`webhook-*`) equivalents. HTTP API v2
 * lower-cases header names. Each field prefers the `svix-` name, as Svix's own library does.
 * The id is checked first (stricter than Svix's library, which takes any id): it is the one header
 * value the verifier logs, and it is logged from here on, before the request is authenticated.
 */
export function readWebhookHeaders(headers: HeaderMap): SignedHeaders {
  const idHeader = pickName(headers, HEADER_NAMES.id);
  const id = requirePresent(idHeader, headers[idHeader], HEADER_NAMES.id);
  if (!MESSAGE_ID.test(id)) {
    throw new MalformedHeaderError(`${idHeader} must be 1 to ${MAX_ID_LENGTH} letters, digits, "_", "-", "." or ":"`);
  }
  const timestampHeader = pickName(headers, HEADER_NAMES.timestamp);
  const rawTimestamp = requirePresent(timestampHeader, headers[timestampHeader], HEADER_NAMES.timestamp);
  const signatureName = pickName(headers, HEADER_NAMES.signature);
  const rawSignature = requirePresent(signatureName, headers[signatureName], HEADER_NAMES.signature);

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

function pickName(headers: HeaderMap, [svixName, webhookName]: readonly [string, string]): string {
  return headers[svixName] !== undefined ? svixName : webhookName;
}

function requirePresent(name: string, value: string | undefined, [svixName, webhookName]: readonly [string, string]): string {
  if (value === undefined) throw new MissingHeaderError(`missing header ${svixName} (or ${webhookName})`);
  if (value === '') throw new MissingHeaderError(`header ${name} is empty`);
  return value;
}

/**
 * The header is a space-separated list of `<version>,<base64>`; other versions (v1a, v2) are
 * skipped, and more than MAX_V1_SIGNATURES `v1` entries refuse the request before any HMAC. When HTTP repeats a header, API Gateway joins the values with commas, so only the text
 * up to the next comma is the signature (Svix's library reads it the same way). Scanned in place
 * (no split, no regular expression): it runs on every request.
 */
function readV1Signatures(headerName: string, value: string): string[] {
  let v1Entries = 0;
  const signatures: string[] = [];
  for (let start = 0; start <= value.length; ) {
    const space = value.indexOf(' ', start);
    const end = space === -1 ? value.length : space;
    if (value.startsWith(V1_PREFIX, start)) {
      v1Entries += 1;
      if (v1Entries > MAX_V1_SIGNATURES) {
        throw new MalformedHeaderError(
          `${headerName} has more than ${MAX_V1_SIGNATURES} "v1," signatures; Svix sends one, or two while a secret is rotated`,
        );
      }
      const from = start + V1_PREFIX.length;
      const comma = value.indexOf(',', from);
      const to = comma === -1 || comma > end ? end : comma;
      if (isCanonicalDigestBase64(value, from, to)) signatures.push(value.slice(from, to));
    }
    start = end + 1;
  }
  if (v1Entries === 0) {
    throw new MalformedHeaderError(`${headerName} has no "v1,<base64>" entry`);
  }
  return signatures;
}

function isCanonicalDigestBase64(value: string, from: number, to: number): boolean {
  if (to - from !== DIGEST_BASE64_LENGTH || value.charCodeAt(to - 1) !== PADDING) return false;
  const last = to - 2;
  for (let index = from; index < last; index += 1) {
    const code = value.charCodeAt(index);
    if (code > 127 || BASE64_CHAR[code] === 0) return false;
  }
  const code = value.charCodeAt(last);
  return code <= 127 && LAST_DIGEST_CHAR[code] === 1;
}
