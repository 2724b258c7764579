import { InvalidSigningSecretError } from '../shared/errors';
import { splitList } from '../shared/require-env';

/** Svix / Standard Webhooks secrets are `whsec_` followed by the base64 of the HMAC key. */
export const SIGNING_SECRET_PREFIX = 'whsec_';

// Standard (not URL-safe) alphabet with its padding: what Svix issues and what its own library decodes.
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/**
 * Shortest HMAC key accepted, bytes. Svix issues 24-byte keys; a short key can be guessed online
 * (a request may carry several candidate signatures), so anything shorter is a misconfiguration.
 */
export const MIN_SIGNING_KEY_BYTES = 16;

/** Where the verifier gets the current signing secrets; several during a rotation overlap. */
export interface SigningSecretSource {
  /**
   * `refresh: true` says a signature just failed against the current secrets: the source may fetch
   * again (a rotation just happened) but decides itself how often, so forged requests cannot make
   * it hammer its backend. Returning the same array instance means nothing changed.
   */
  getSecrets(options?: { refresh?: boolean }): Promise<readonly string[]>;
}

/**
 * Reads a stored secret value: one or more `whsec_…` separated by whitespace or commas, each a
 * key of at least MIN_SIGNING_KEY_BYTES. Error messages say what is wrong and where, never what
 * the value is.
 */
export function parseSigningSecrets(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed === '') {
    throw new InvalidSigningSecretError(
      `signing secret is empty: expected one or more ${SIGNING_SECRET_PREFIX}… values separated by spaces or commas`,
    );
  }
  if (trimmed.startsWith('{')) {
    throw new InvalidSigningSecretError(
      `signing secret looks like a JSON key/value secret: store the plain ${SIGNING_SECRET_PREFIX}… string (Secrets Manager "Plaintext")`,
    );
  }
  const entries = splitList(trimmed);
  entries.forEach((entry, index) => {
    const where = `signing secret entry ${index + 1} of ${entries.length}`;
    if (!entry.startsWith(SIGNING_SECRET_PREFIX)) {
      throw new InvalidSigningSecretError(`${where} does not start with ${SIGNING_SECRET_PREFIX}`);
    }
    const key = entry.slice(SIGNING_SECRET_PREFIX.length);
    if (!STANDARD_BASE64.test(key)) {
      throw new InvalidSigningSecretError(`${where} is not padded standard base64 after ${SIGNING_SECRET_PREFIX}`);
    }
    const keyBytes = Buffer.byteLength(key, 'base64');
    if (keyBytes < MIN_SIGNING_KEY_BYTES) {
      throw new InvalidSigningSecretError(
        `${where} is a ${keyBytes}-byte key; at least ${MIN_SIGNING_KEY_BYTES} bytes are required (Svix issues 24)`,
      );
    }
  });
  return entries;
}

/** A fixed set of secrets (tests, the local pipeline). Validated once, like a fetched value. */
export function staticSecretSource(secrets: readonly string[]): SigningSecretSource {
  const parsed: readonly string[] = Object.freeze(parseSigningSecrets(secrets.join(' ')));
  return { getSecrets: async () => parsed };
}
