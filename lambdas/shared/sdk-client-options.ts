/**
 * Bounds on every AWS SDK call a client makes: how long connecting may take, how long one
 * attempt may take in all, and how many attempts (the first one included) the SDK's retry
 * strategy makes. Without them a call to an endpoint that accepts the connection and never
 * answers waits until the function times out, with no log line and no metric.
 */
export interface AwsCallTimeouts {
  /** Milliseconds to establish the connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds one attempt may take from sending the request to the end of the answer. */
  readonly requestTimeoutMs: number;
  /** Attempts per call, retries included. */
  readonly maxAttempts: number;
}

/** What an SDK client's constructor takes for those bounds (Node.js HTTP handler options). */
export interface SdkClientOptions {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    /** Without it the handler only logs a warning when requestTimeout passes and keeps waiting. */
    readonly throwOnRequestTimeout: true;
  };
}

export function clientOptions({ connectionTimeoutMs, requestTimeoutMs, maxAttempts }: AwsCallTimeouts): SdkClientOptions {
  return {
    maxAttempts,
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

/**
 * The longest one call can take before it fails, not counting the backoff between attempts:
 * every attempt running into its request timeout. The SDK's standard retry waits a random time
 * of at most 100 ms × 2^attempt between attempts (500 ms × 2^attempt after throttling): with
 * three attempts, under a second (3 s when throttled) on top.
 */
export function worstCaseCallMs({ requestTimeoutMs, maxAttempts }: AwsCallTimeouts): number {
  return requestTimeoutMs * maxAttempts;
}
