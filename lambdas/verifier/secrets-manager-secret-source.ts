import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '@aws-lambda-powertools/logger';
import { InvalidSigningSecretError, SigningSecretUnavailableError } from '../shared/errors';
import { parseSigningSecrets, type SigningSecretSource } from './signing-secrets';

/** After a failed signature, fetch again only if the last attempt is at least this old. */
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 5_000;

export interface SecretsManagerSecretSourceOptions {
  readonly client: SecretsManagerClient;
  /** ARN or name of the secret. */
  readonly secretId: string;
  /** How long a fetched value is used without asking again. */
  readonly ttlMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  readonly minRefreshIntervalMs?: number;
}

interface CachedSecrets {
  readonly value: string;
  readonly secrets: readonly string[];
  readonly fetchedAt: number;
}

/**
 * Signing secrets from Secrets Manager, cached for the life of the Lambda environment.
 *
 * - A value is reused for `ttlMs`; concurrent callers share one in-flight fetch.
 * - `refresh` (a signature just failed: maybe a rotation) fetches again, but at most once per
 *   `minRefreshIntervalMs`, so a flood of forged requests costs one call per interval, not one each.
 * - Once a value is cached, a failed fetch (outage, or a new value that does not parse) keeps the
 *   cached one, logs why, and is not retried for `minRefreshIntervalMs`: an outage of Secrets
 *   Manager should not stop webhooks it can still verify. Without a cached value the failure is
 *   thrown (every call tries again), and the handler answers 5xx so Svix retries.
 */
export function createSecretsManagerSecretSource(options: SecretsManagerSecretSourceOptions): SigningSecretSource {
  const { client, secretId, ttlMs, now, logger } = options;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS;
  let cached: CachedSecrets | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastAttemptFailed = false;
  let inFlight: Promise<readonly string[]> | undefined;

  async function fetchSecrets(): Promise<readonly string[]> {
    lastAttemptAt = now();
    lastAttemptFailed = true;
    let value: string;
    try {
      value = await readSecretString(client, secretId);
    } catch (error) {
      return keepCachedOrThrow(error);
    }
    if (cached !== undefined && value === cached.value) {
      lastAttemptFailed = false;
      cached = { ...cached, fetchedAt: now() };
      return cached.secrets;
    }
    let secrets: readonly string[];
    try {
      secrets = Object.freeze(parseSigningSecrets(value));
    } catch (error) {
      return keepCachedOrThrow(error);
    }
    lastAttemptFailed = false;
    cached = { value, secrets, fetchedAt: now() };
    return secrets;
  }

  function shouldFetch(current: CachedSecrets, refresh: boolean): boolean {
    const sinceAttempt = now() - lastAttemptAt;
    if (lastAttemptFailed && sinceAttempt < minRefreshIntervalMs) return false; // back off after a failure
    if (now() - current.fetchedAt >= ttlMs) return true;
    return refresh && sinceAttempt >= minRefreshIntervalMs;
  }

  function keepCachedOrThrow(error: unknown): readonly string[] {
    const failure =
      error instanceof InvalidSigningSecretError
        ? error
        : new SigningSecretUnavailableError(`could not read the signing secret from Secrets Manager (${describe(error)})`, {
            cause: error,
          });
    if (cached === undefined) throw failure;
    logger.error('signing secret refresh failed; still using the cached value', {
      reason: failure.message,
      code: failure.code,
      cachedForMs: now() - cached.fetchedAt,
    });
    return cached.secrets;
  }

  return {
    async getSecrets({ refresh = false } = {}) {
      if (inFlight !== undefined) return inFlight;
      if (cached !== undefined && !shouldFetch(cached, refresh)) return cached.secrets;
      inFlight = fetchSecrets().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (output.SecretString === undefined) {
    throw new InvalidSigningSecretError('signing secret has no string value (a binary secret is not supported)');
  }
  return output.SecretString;
}

/** Error name and message of an SDK failure; these never carry the secret value. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
