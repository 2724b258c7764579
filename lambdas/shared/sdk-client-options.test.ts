import { ConfigurationError } from './errors';
import { clientOptions, worstCaseCallMs } from './sdk-client-options';

describe('clientOptions', () => {
  it('sets both timeouts, makes a breached request timeout an error, and bounds the attempts', () => {
    expect(clientOptions({ connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2 })).toEqual({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
    });
  });

  it.each([
    ['connectionTimeoutMs', { connectionTimeoutMs: 0, requestTimeoutMs: 1_000, maxAttempts: 2 }],
    ['requestTimeoutMs', { connectionTimeoutMs: 500, requestTimeoutMs: 1.5, maxAttempts: 2 }],
    ['maxAttempts', { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: -1 }],
  ])('refuses a %s that is not a positive integer', (name, timeouts) => {
    expect(() => clientOptions(timeouts)).toThrow(ConfigurationError);
    expect(() => clientOptions(timeouts)).toThrow(name);
  });
});

describe('worstCaseCallMs', () => {
  it('adds every attempt at its timeout and the longest wait before each retry (1 s, 2 s, …)', () => {
    expect(worstCaseCallMs({ connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 1 })).toBe(1_000);
    expect(worstCaseCallMs({ connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2 })).toBe(3_000);
    expect(worstCaseCallMs({ connectionTimeoutMs: 3_000, requestTimeoutMs: 2_000, maxAttempts: 3 })).toBe(12_000);
  });
});
