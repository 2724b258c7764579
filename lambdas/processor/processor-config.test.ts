import { ConfigurationError } from '../shared/errors';
import { CASCADE_TIME_RESERVE_MS, PROCESSOR_DEFAULTS, PROCESSOR_ENV, readProcessorConfig } from './processor-config';

const required = {
  [PROCESSOR_ENV.tableName]: 'clerk-sync',
  [PROCESSOR_ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
  [PROCESSOR_ENV.queueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/events',
};

describe('readProcessorConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    expect(readProcessorConfig(required)).toEqual({
      tableName: 'clerk-sync',
      deadLetterQueueUrl: required[PROCESSOR_ENV.deadLetterQueueUrl],
      queueUrl: required[PROCESSOR_ENV.queueUrl],
      tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays,
    });
  });

  it('reads the tombstone TTL and refuses one that is not a positive integer', () => {
    expect(readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '90' }).tombstoneTtlDays).toBe(90);
    expect(() => readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '0' })).toThrow(ConfigurationError);
  });
});

describe('the bounds of the processor\'s AWS calls and cascades', () => {
  it('lets a hung call fail, and a cascade stop, well inside the 30 s function timeout', () => {
    const { requestTimeoutMs, maxAttempts, connectionTimeoutMs } = PROCESSOR_DEFAULTS.awsCalls;
    expect(connectionTimeoutMs).toBeLessThanOrEqual(requestTimeoutMs);
    // A hung call, with the SDK's backoff, ends in well under half the timeout...
    expect(requestTimeoutMs * maxAttempts + 1_000).toBeLessThan(30_000 / 2);
    // ...and the reserve covers a round of the cascade and the continuation's send.
    expect(CASCADE_TIME_RESERVE_MS).toBeGreaterThanOrEqual(2 * requestTimeoutMs * maxAttempts);
    expect(CASCADE_TIME_RESERVE_MS).toBeLessThan(30_000);
  });
});
