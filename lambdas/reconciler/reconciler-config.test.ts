import { ConfigurationError } from '../shared/errors';
import { worstCaseCallMs } from '../shared/sdk-client-options';
import { RECONCILER_DEFAULTS, RECONCILER_ENV, readReconcilerConfig } from './reconciler-config';

describe('reconciler configuration', () => {
  const required = {
    [RECONCILER_ENV.tableName]: 'sync',
    [RECONCILER_ENV.stateTableName]: 'state',
    [RECONCILER_ENV.secretKeySecretId]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-AbCdEf',
  };

  it('reads what the construct sets, with defaults for the rest', () => {
    expect(readReconcilerConfig(required)).toEqual({
      tableName: 'sync',
      stateTableName: 'state',
      secretKeySecretId: required[RECONCILER_ENV.secretKeySecretId],
      clerkApiUrl: RECONCILER_DEFAULTS.clerkApiUrl,
      prune: true,
      tombstoneTtlDays: 30,
    });
    expect(readReconcilerConfig({ ...required, [RECONCILER_ENV.prune]: 'false', [RECONCILER_ENV.requestsPerSecond]: '12.5' })).toMatchObject({
      prune: false,
      requestsPerSecond: 12.5,
    });
  });

  it('fails at cold start on anything missing or malformed', () => {
    expect(() => readReconcilerConfig({})).toThrow(ConfigurationError);
    expect(() => readReconcilerConfig({ ...required, [RECONCILER_ENV.prune]: 'yes' })).toThrow(/PRUNE must be "true" or "false"/);
    expect(() => readReconcilerConfig({ ...required, [RECONCILER_ENV.requestsPerSecond]: '-1' })).toThrow(/REQUESTS_PER_SECOND must be a positive number/);
  });
});

describe("the bounds of the reconciler's AWS calls", () => {
  it('let a hung DynamoDB or Secrets Manager call fail inside the time an invocation keeps before its timeout', () => {
    expect(worstCaseCallMs(RECONCILER_DEFAULTS.awsCalls)).toBeLessThan(RECONCILER_DEFAULTS.stopBeforeTimeoutMs / 2);
  });
});
