import fc from 'fast-check';
import { longestRetryWaitMs, worstCaseCallMs } from '../shared/sdk-client-options';
import { AwsServiceError, AwsTimeoutError, AwsUnexpectedResponseError, isRetryable, isThrottling, retryDelayMs } from './aws-json-errors';
import { VERIFIER_DEFAULTS } from './verifier-config';

const serviceError = (code: string, statusCode: number, queryErrorCode?: string) =>
  new AwsServiceError({ code, message: 'm', statusCode, ...(queryErrorCode === undefined ? {} : { queryErrorCode }) });

describe('isRetryable', () => {
  it.each([
    ['a timeout', true, new AwsTimeoutError('t')],
    ['a reset connection', true, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a refused connection', true, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a failed name lookup', true, Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' })],
    ['a 500', true, serviceError('InternalFailure', 500)],
    ['a 503', true, serviceError('ServiceUnavailable', 503)],
    ['throttling', true, serviceError('ThrottlingException', 400)],
    ["SQS's throttling, by its query error code", true, serviceError('SomethingElse', 400, 'AWS.SimpleQueueService.RequestThrottled')],
    ['a 429', true, serviceError('Http429Error', 429)],
    ['access denied', false, serviceError('AccessDeniedException', 400)],
    ['a missing secret', false, serviceError('ResourceNotFoundException', 400)],
    ['an answer that does not parse', false, new AwsUnexpectedResponseError('x')],
    ['a bug of ours', false, new TypeError('x is not a function')],
    ['a header Node refuses', false, Object.assign(new TypeError('Invalid character in header content'), { code: 'ERR_INVALID_CHAR' })],
  ])('%s: retried %s', (_case, expected, error) => {
    expect(isRetryable(error)).toBe(expected);
  });

  it('tells throttling from other 4xx', () => {
    expect(isThrottling(serviceError('RequestThrottled', 400))).toBe(true);
    expect(isThrottling(serviceError('InvalidParameterValue', 400))).toBe(false);
    expect(isThrottling(new AwsTimeoutError('t'))).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it('waits a random time below 50 ms × 2^(n−1), or 500 ms × 2^(n−1) after throttling', () => {
    expect(retryDelayMs(1, false, () => 0)).toBe(0);
    expect(retryDelayMs(1, false, () => 0.5)).toBe(25);
    expect(retryDelayMs(2, false, () => 0.999)).toBe(99);
    expect(retryDelayMs(1, true, () => 0.999)).toBe(499);
  });

  it('never waits longer than worstCaseCallMs allows for, so that bound holds for the verifier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.boolean(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, throttled, random) => {
        expect(retryDelayMs(retry, throttled, () => random)).toBeLessThanOrEqual(longestRetryWaitMs(retry));
      }),
    );
    const { sqsTimeouts } = VERIFIER_DEFAULTS;
    expect(sqsTimeouts.maxAttempts * sqsTimeouts.requestTimeoutMs + retryDelayMs(1, true, () => 0.999_999)).toBeLessThanOrEqual(worstCaseCallMs(sqsTimeouts));
  });
});
