import { DEFAULT_RETRY_POLICY, describeClerkFailure, retryDelayMs } from './retry-policy';

/** The shape of the SDK's ClerkAPIResponseError, as it throws it. */
const apiError = (status: number | undefined, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(status === undefined ? '' : 'Request failed'), {
    status,
    errors: [{ code: status === undefined ? 'unexpected_error' : 'some_code', message: status === undefined ? 'fetch failed' : 'something' }],
    ...extra,
  });

describe('describeClerkFailure', () => {
  it('tells a rate limit, a missing resource, an outage and a refusal apart', () => {
    expect(describeClerkFailure(apiError(429, { retryAfter: 3 }))).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 3_000 });
    expect(describeClerkFailure(apiError(429))).not.toHaveProperty('retryAfterMs');
    expect(describeClerkFailure(apiError(404))).toMatchObject({ kind: 'not-found', status: 404 });
    expect(describeClerkFailure(apiError(500))).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(describeClerkFailure(apiError(503))).toMatchObject({ kind: 'unavailable' });
    expect(describeClerkFailure(apiError(undefined))).toEqual({ kind: 'unavailable', detail: 'unexpected_error: fetch failed' });
    expect(describeClerkFailure(apiError(401))).toMatchObject({ kind: 'refused', status: 401 });
    expect(describeClerkFailure(apiError(422))).toMatchObject({ kind: 'refused', status: 422 });
    expect(describeClerkFailure(new TypeError('boom'))).toEqual({ kind: 'unavailable', detail: 'boom' });
  });
});

describe('retryDelayMs', () => {
  const half = () => 0.5;

  it('waits out Retry-After (plus up to 250 ms of jitter) until the 429 budget is spent', () => {
    const failure = describeClerkFailure(apiError(429, { retryAfter: 2 }));
    expect(retryDelayMs(failure, 1, DEFAULT_RETRY_POLICY, () => 0)).toBe(2_000);
    expect(retryDelayMs(failure, 1, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(2_249);
    expect(retryDelayMs(failure, DEFAULT_RETRY_POLICY.maxRateLimitedAttempts - 1, DEFAULT_RETRY_POLICY, half)).toBe(2_125);
    expect(retryDelayMs(failure, DEFAULT_RETRY_POLICY.maxRateLimitedAttempts, DEFAULT_RETRY_POLICY, half)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped, then gives up on 5xx and network errors', () => {
    const failure = describeClerkFailure(apiError(500));
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 4_000 };
    const steps = [1, 2, 3, 4, 5, 6].map((attempt) => [
      retryDelayMs(failure, attempt, policy, () => 0),
      retryDelayMs(failure, attempt, policy, () => 0.9999),
    ]);
    expect(steps).toEqual([
      [250, 499],
      [500, 999],
      [1_000, 1_999],
      [2_000, 3_999],
      [2_000, 3_999],
      [2_000, 3_999],
    ]);
    expect(retryDelayMs(failure, 10, policy, half)).toBeUndefined();
    expect(retryDelayMs(describeClerkFailure(apiError(undefined)), DEFAULT_RETRY_POLICY.maxAttempts, DEFAULT_RETRY_POLICY, half)).toBeUndefined();
  });

  it('never retries a 404 (an answer) or a refusal', () => {
    expect(retryDelayMs(describeClerkFailure(apiError(404)), 1)).toBeUndefined();
    expect(retryDelayMs(describeClerkFailure(apiError(401)), 1)).toBeUndefined();
  });
});
