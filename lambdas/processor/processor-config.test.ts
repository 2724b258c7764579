import { ConfigurationError } from '../shared/errors';
import { worstCaseCallMs } from '../shared/sdk-client-options';
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
      readParentsFirst: PROCESSOR_DEFAULTS.readParentsFirst,
    });
  });

  it('reads whether to read parents first as true or false and refuses anything else', () => {
    expect(readProcessorConfig({ ...required, [PROCESSOR_ENV.readParentsFirst]: 'false' }).readParentsFirst).toBe(false);
    expect(readProcessorConfig({ ...required, [PROCESSOR_ENV.readParentsFirst]: 'true' }).readParentsFirst).toBe(true);
    expect(() => readProcessorConfig({ ...required, [PROCESSOR_ENV.readParentsFirst]: 'no' })).toThrow(
      'environment variable READ_PARENTS_FIRST must be "true" or "false", got "no"',
    );
  });

  it('reads the tombstone TTL and refuses one that is not a positive integer', () => {
    expect(readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '90' }).tombstoneTtlDays).toBe(90);
    expect(() => readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '0' })).toThrow(ConfigurationError);
  });
});

describe('the bounds of the processor\'s AWS calls and cascades', () => {
  it('lets a hung call fail, and a cascade stop, well inside the 30 s function timeout', () => {
    const worstCall = worstCaseCallMs(PROCESSOR_DEFAULTS.awsCalls);
    // A hung call, with the SDK's backoff, ends in well under half the timeout...
    expect(worstCall).toBeLessThan(30_000 / 2);
    // ...the reserve covers a round of the cascade (two calls) and the continuation's send...
    expect(CASCADE_TIME_RESERVE_MS).toBeGreaterThanOrEqual(3 * worstCall);
    // ...and leaves the cascade a third of the invocation at least.
    expect(CASCADE_TIME_RESERVE_MS).toBeLessThanOrEqual(30_000 - 10_000);
  });
});
