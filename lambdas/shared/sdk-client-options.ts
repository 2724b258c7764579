import { positiveInteger } from './require-env';

/** How long one AWS SDK call may take: per attempt, and how many attempts. */
export interface ClientTimeouts {
  /** Most milliseconds to open the TCP connection. */
  readonly connectionTimeoutMs: number;
  /** Most milliseconds one attempt may take from start to the last byte of the answer (connection included). */
  readonly requestTimeoutMs: number;
  /** Attempts of one call, the first included (the SDK's retries for timeouts, throttling and 5xx). */
  readonly maxAttempts: number;
}

/** The constructor options of any AWS SDK v3 client that bound its calls by `timeouts`. */
export interface SdkClientTimeoutOptions {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/**
 * Options for an AWS SDK client (`new SQSClient({ ...clientOptions(timeouts) })`) so that a
 * service that accepts the connection and never answers costs a bounded time, not the function's
 * whole timeout. The SDK's Node.js handler only logs a breached `requestTimeout` unless
 * `throwOnRequestTimeout` is set; with it the attempt fails with a `TimeoutError`, which the SDK
 * retries like any transient error, up to `maxAttempts`.
 */
export function clientOptions(timeouts: ClientTimeouts): SdkClientTimeoutOptions {
  checkTimeouts(timeouts);
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** Throws a ConfigurationError naming the first setting that is not a positive integer. */
export function checkTimeouts(timeouts: ClientTimeouts): void {
  for (const [name, value] of Object.entries(timeouts)) positiveInteger(value as number, name);
}

/**
 * The SDK's standard retry strategy waits a random time before each retry, at most
 * `base × 2^(retry − 1)`; the base is 1 s after throttling, 50 ms otherwise. The bound below takes
 * the throttling base for every retry, the larger one.
 */
const LONGEST_RETRY_BASE_MS = 1_000;

/**
 * The longest wait before retry `retry` (1-based) that worstCaseCallMs allows for: what the SDK's
 * strategy can wait, and what the verifier's own client (lambdas/verifier/aws-json-errors.ts,
 * retryDelayMs) stays under.
 */
export function longestRetryWaitMs(retry: number): number {
  return LONGEST_RETRY_BASE_MS * 2 ** (retry - 1);
}

/**
 * The longest one call can take with these settings: every attempt runs into its request timeout
 * (which includes connecting) and every retry waits the longest backoff. What a function's
 * timeout has to leave room for.
 */
export function worstCaseCallMs(timeouts: ClientTimeouts): number {
  let backoff = 0;
  for (let retry = 1; retry < timeouts.maxAttempts; retry += 1) backoff += longestRetryWaitMs(retry);
  return timeouts.maxAttempts * Math.max(timeouts.requestTimeoutMs, timeouts.connectionTimeoutMs) + backoff;
}
