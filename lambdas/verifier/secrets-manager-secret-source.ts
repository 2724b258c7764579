import type { Logger } from '@aws-lambda-powertools/logger';
import { InvalidSigningSecretError, SigningSecretUnavailableError } from '../shared/errors';
import { parseSigningSecrets, type SigningSecretSource } from './signing-secrets';
import { VERIFIER_DEFAULTS } from './verifier-config';

/** After a failed signature, fetch again only if the last attempt is at least this old. */
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 5_000;

/** What the source needs of Secrets Manager: GetSecretValue's string value (undefined: a binary secret). */
export interface SecretStringReader {
  getSecretString(secretId: string): Promise<string | undefined>;
}

export interface SecretsManagerSecretSourceOptions {
  readonly secretsManager: SecretStringReader;
  /** ARN or name of the secret. */
  readonly secretId: string;
  /** How long a fetched value is used without asking again. */
  readonly ttlMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly minRefreshIntervalMs?: number;
  /** @default VERIFIER_DEFAULTS.secretFailureBackoff */
  readonly failureBackoff?: { readonly initialMs: number; readonly maxMs: number };
}

interface CachedSecrets {
  readonly value: string;
  readonly secrets: readonly string[];
  readonly fetchedAt: number;
}

type SecretFailure = InvalidSigningSecretError | SigningSecretUnavailableError;

/**
 * Signing secrets from Secrets Manager, cached for the life of the Lambda environment.
 *
 * - A value is reused for `ttlMs`; concurrent callers share one in-flight fetch.
 * - `refresh` (a signature just failed: maybe a rotation) fetches again, but at most once per
 *   `minRefreshIntervalMs`, so a flood of forged requests costs one call per interval, not one each.
 * - A failed fetch (outage, or a value that does not parse) backs off: no call for
 *   `failureBackoff.initialMs`, doubling after each further failure up to `failureBackoff.maxMs`.
 *   With a value cached, it is kept and used meanwhile (and never retried sooner than
 *   `minRefreshIntervalMs`): an outage of Secrets Manager should not stop webhooks it can still
 *   verify. With nothing cached, every request in the backoff gets the last failure at once
 *   (503 unavailable, 500 misconfigured), so that neither an outage nor the placeholder secret
 *   turns each unauthenticated request into a Secrets Manager call.
 */
export function createSecretsManagerSecretSource(options: SecretsManagerSecretSourceOptions): SigningSecretSource {
  const { secretsManager, secretId, ttlMs, now, logger } = options;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS;
  const backoff = options.failureBackoff ?? VERIFIER_DEFAULTS.secretFailureBackoff;
  let cached: CachedSecrets | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let consecutiveFailures = 0;
  let lastFailure: SecretFailure | undefined;
  /** The backoff runs from when the failure was known: a read that hung until its timeout already took long. */
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<readonly string[]> | undefined;

  const backoffMs = (): number => Math.min(backoff.maxMs, backoff.initialMs * 2 ** (consecutiveFailures - 1));

  async function fetchSecrets(): Promise<readonly string[]> {
    lastAttemptAt = now();
    let value: string;
    try {
      value = await readSecretString(secretsManager, secretId);
    } catch (error) {
      return failed(error);
    }
    if (cached !== undefined && value === cached.value) {
      succeeded();
      cached = { ...cached, fetchedAt: now() };
      return cached.secrets;
    }
    let secrets: readonly string[];
    try {
      secrets = Object.freeze(parseSigningSecrets(value));
    } catch (error) {
      return failed(error);
    }
    succeeded();
    cached = { value, secrets, fetchedAt: now() };
    return secrets;
  }

  function succeeded(): void {
    consecutiveFailures = 0;
    lastFailure = undefined;
  }

  function shouldFetch(current: CachedSecrets, refresh: boolean): boolean {
    const sinceAttempt = now() - lastAttemptAt;
    if (consecutiveFailures > 0 && now() - lastFailureAt < Math.max(minRefreshIntervalMs, backoffMs())) return false;
    if (now() - current.fetchedAt >= ttlMs) return true;
    return refresh && sinceAttempt >= minRefreshIntervalMs;
  }

  /** Keeps the cached value if there is one; else throws, and the handler answers 5xx so Svix retries. */
  function failed(error: unknown): readonly string[] {
    const failure =
      error instanceof InvalidSigningSecretError
        ? error
        : new SigningSecretUnavailableError(`could not read the signing secret from Secrets Manager (${describe(error)})`, {
            cause: error,
          });
    consecutiveFailures += 1;
    lastFailure = failure;
    lastFailureAt = now();
    if (cached === undefined) throw failure;
    logger.error('signing secret refresh failed; still using the cached value', {
      reason: failure.message,
      code: failure.code,
      cachedForMs: now() - cached.fetchedAt,
    });
    return cached.secrets;
  }

  /** The last failure again, for a request in the backoff: same class, so the same answer. */
  function stillFailing(failure: SecretFailure): SecretFailure {
    const retryInMs = Math.max(0, lastFailureAt + backoffMs() - now());
    const message = `${failure.message}; Secrets Manager is asked again in ${retryInMs} ms (backing off after ${consecutiveFailures} failed reads)`;
    return failure instanceof InvalidSigningSecretError
      ? new InvalidSigningSecretError(message, { cause: failure })
      : new SigningSecretUnavailableError(message, { cause: failure });
  }

  return {
    async getSecrets({ refresh = false } = {}) {
      if (inFlight !== undefined) return inFlight;
      if (cached !== undefined && !shouldFetch(cached, refresh)) return cached.secrets;
      if (cached === undefined && lastFailure !== undefined && now() - lastFailureAt < backoffMs()) {
        throw stillFailing(lastFailure);
      }
      inFlight = fetchSecrets().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

async function readSecretString(secretsManager: SecretStringReader, secretId: string): Promise<string> {
  const value = await secretsManager.getSecretString(secretId);
  if (value === undefined) {
    throw new InvalidSigningSecretError('signing secret has no string value (a binary secret is not supported)');
  }
  return value;
}

/** Error name and message of a failed read (aws-json-errors.ts); these never carry the secret value. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
