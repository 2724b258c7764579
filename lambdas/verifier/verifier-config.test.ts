import { ConfigurationError } from '../shared/errors';
import { readVerifierConfig, VERIFIER_DEFAULTS, VERIFIER_ENV } from './verifier-config';

const required = {
  [VERIFIER_ENV.queueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
  [VERIFIER_ENV.signingSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
};

describe('readVerifierConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    expect(readVerifierConfig(required)).toEqual({
      queueUrl: required[VERIFIER_ENV.queueUrl],
      signingSecretArn: required[VERIFIER_ENV.signingSecretArn],
      maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
      secretCacheTtlSeconds: VERIFIER_DEFAULTS.secretCacheTtlSeconds,
    });
  });

  it('reads every optional setting', () => {
    expect(readVerifierConfig({ ...required, MAX_BODY_BYTES: '4096', SECRET_CACHE_TTL_SECONDS: '60' })).toMatchObject({
      maxBodyBytes: 4096,
      secretCacheTtlSeconds: 60,
    });
  });

  it.each(['SECRET_CACHE_TTL_SECONDS', 'MAX_BODY_BYTES'])('rejects a %s that is not a positive integer', (name) => {
    expect(() => readVerifierConfig({ ...required, [name]: '1.5' })).toThrow(
      new ConfigurationError(`environment variable ${name} must be a positive integer, got "1.5"`),
    );
  });
});
