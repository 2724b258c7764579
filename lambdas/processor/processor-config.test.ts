import { ConfigurationError } from '../shared/errors';
import { PROCESSOR_DEFAULTS, PROCESSOR_ENV, readProcessorConfig } from './processor-config';

const required = { [PROCESSOR_ENV.tableName]: 'clerk-sync', [PROCESSOR_ENV.deadLetterQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq' };

describe('readProcessorConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    expect(readProcessorConfig(required)).toEqual({
      tableName: 'clerk-sync',
      deadLetterQueueUrl: required[PROCESSOR_ENV.deadLetterQueueUrl],
      tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays,
    });
  });

  it('reads the tombstone TTL and refuses one that is not a positive integer', () => {
    expect(readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '90' }).tombstoneTtlDays).toBe(90);
    expect(() => readProcessorConfig({ ...required, TOMBSTONE_TTL_DAYS: '0' })).toThrow(ConfigurationError);
  });
});
