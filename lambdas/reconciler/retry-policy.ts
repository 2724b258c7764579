/**
 * What to do when a call to Clerk's Backend API fails: `429` waits for its `Retry-After` (the
 * whole instance is over its limit), 5xx and network failures back off exponentially with
 * jitter, a `404` is an answer, anything else is final. Pure: the caller sleeps.
 */

export type ClerkFailureKind = 'rate-limited' | 'unavailable' | 'not-found' | 'refused';

export interface ClerkFailure {
  readonly kind: ClerkFailureKind;
  /** HTTP status; absent when no answer came (network error, timeout). */
  readonly status?: number;
  /** From `Retry-After`, on a 429. */
  readonly retryAfterMs?: number;
  /** Clerk's error codes and messages, for the operator (never personal data: ids at most). */
  readonly detail: string;
}

export interface RetryPolicy {
  /** Attempts of a call failing with 5xx or no answer, the first included. */
  readonly maxAttempts: number;
  /** Attempts of a call answered 429, the first included: waiting is cheap, giving up loses the run. */
  readonly maxRateLimitedAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxRateLimitedAttempts: 20,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/** Reads the error the SDK throws (`ClerkAPIResponseError`: `status`, `retryAfter` in seconds, `errors`). */
export function describeClerkFailure(error: unknown): ClerkFailure {
  const facts = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    retryAfter?: unknown;
    errors?: unknown;
    message?: unknown;
  };
  const status = typeof facts.status === 'number' ? facts.status : undefined;
  const codes = Array.isArray(facts.errors)
    ? facts.errors
        .map((entry: { code?: unknown; message?: unknown }) => [entry?.code, entry?.message].filter((part) => typeof part === 'string').join(': '))
        .filter((text) => text !== '')
    : [];
  // The SDK's own message is a multi-line dump; its error list (or the status) says it better.
  const detail =
    codes.length > 0
      ? codes.join('; ')
      : Array.isArray(facts.errors)
        ? status === undefined
          ? 'no answer'
          : `HTTP ${status}`
        : typeof facts.message === 'string' && facts.message !== ''
          ? facts.message
          : String(error);
  const withStatus = status === undefined ? {} : { status };
  if (status === 429) {
    const retryAfterMs = typeof facts.retryAfter === 'number' && facts.retryAfter >= 0 ? facts.retryAfter * 1000 : undefined;
    return { kind: 'rate-limited', ...withStatus, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), detail };
  }
  if (status === 404) return { kind: 'not-found', status, detail };
  // No status: the request never got an answer (the SDK reports fetch failures this way).
  if (status === undefined || status >= 500 || status === 408) return { kind: 'unavailable', ...withStatus, detail };
  return { kind: 'refused', status, detail };
}

/**
 * Milliseconds to wait before attempt `failedAttempts + 1`, or undefined to give up.
 * `random` is in [0, 1): the jitter spreads the retries of concurrent calls.
 */
export function retryDelayMs(
  failure: ClerkFailure,
  failedAttempts: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | undefined {
  switch (failure.kind) {
    case 'rate-limited':
      if (failedAttempts >= policy.maxRateLimitedAttempts) return undefined;
      // Up to a quarter of a second on top, so the callers held off together do not return together.
      return failure.retryAfterMs === undefined ? backoff(failedAttempts, policy, random) : failure.retryAfterMs + Math.floor(random() * 250);
    case 'unavailable':
      return failedAttempts >= policy.maxAttempts ? undefined : backoff(failedAttempts, policy, random);
    case 'not-found':
    case 'refused':
      return undefined;
  }
}

/** Capped exponential backoff with "equal jitter": half the step for sure, the other half random. */
function backoff(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(step / 2 + random() * (step / 2));
}
