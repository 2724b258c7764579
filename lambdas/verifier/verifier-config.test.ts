import { ConfigurationError } from '../shared/errors';
import { worstCaseCallMs } from '../shared/sdk-client-options';
import { parseInstanceIds, readVerifierConfig, VERIFIER_DEFAULTS, VERIFIER_ENV } from './verifier-config';

const required = {
  [VERIFIER_ENV.queueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
  [VERIFIER_ENV.signingSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
  [VERIFIER_ENV.partitionUrlSuffix]: 'amazonaws.com',
};

describe('readVerifierConfig', () => {
  it('applies the defaults when only the required variables are set: any instance, any source', () => {
    expect(readVerifierConfig(required)).toEqual({
      queueUrl: required[VERIFIER_ENV.queueUrl],
      signingSecretArn: required[VERIFIER_ENV.signingSecretArn],
      partitionUrlSuffix: 'amazonaws.com',
      maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
      secretCacheTtlSeconds: VERIFIER_DEFAULTS.secretCacheTtlSeconds,
    });
  });

  it('reads every optional setting', () => {
    expect(
      readVerifierConfig({
        ...required,
        MAX_BODY_BYTES: '4096',
        SECRET_CACHE_TTL_SECONDS: '60',
        ALLOWED_INSTANCE_IDS: 'ins_2abc,ins_2def',
        ALLOWED_SOURCE_IPS: '198.51.100.0/24 2001:db8::1',
      }),
    ).toMatchObject({
      maxBodyBytes: 4096,
      secretCacheTtlSeconds: 60,
      allowedInstanceIds: ['ins_2abc', 'ins_2def'],
      allowedSourceIps: ['198.51.100.0/24', '2001:db8::1/128'],
    });
  });

  it.each(['SECRET_CACHE_TTL_SECONDS', 'MAX_BODY_BYTES'])('rejects a %s that is not a positive integer', (name) => {
    expect(() => readVerifierConfig({ ...required, [name]: '1.5' })).toThrow(
      new ConfigurationError(`environment variable ${name} must be a positive integer, got "1.5"`),
    );
  });

  it('rejects an allow-list it cannot read, naming the variable', () => {
    expect(() => readVerifierConfig({ ...required, ALLOWED_INSTANCE_IDS: 'app_2abc' })).toThrow(
      new ConfigurationError('environment variable ALLOWED_INSTANCE_IDS: "app_2abc" is not a Clerk instance id (ins_ followed by letters and digits)'),
    );
    expect(() => readVerifierConfig({ ...required, ALLOWED_SOURCE_IPS: '10.0.0.0/33' })).toThrow(
      new ConfigurationError('environment variable ALLOWED_SOURCE_IPS: "10.0.0.0/33" is not an IPv4 or IPv6 address or CIDR range (or "svix")'),
    );
  });

  it.each(Object.keys(required))('fails naming %s when it is missing', (name) => {
    expect(() => readVerifierConfig({ ...required, [name]: undefined })).toThrow(
      new ConfigurationError(`environment variable ${name} is required but not set`),
    );
  });

  it("bounds a request's AWS calls (one secret read, one send) well inside the function's 10 s and Svix's 15 s", () => {
    const worstCase = worstCaseCallMs(VERIFIER_DEFAULTS.secretsManagerTimeouts) + worstCaseCallMs(VERIFIER_DEFAULTS.sqsTimeouts);
    expect(worstCase).toBe(6_000);
    expect(worstCase).toBeLessThanOrEqual(VERIFIER_DEFAULTS.timeoutSeconds * 1000 * 0.6);
  });
});

describe('parseInstanceIds', () => {
  it.each([
    ['one id', 'ins_2abc', ['ins_2abc']],
    ['comma separated', 'ins_2abc,ins_2def', ['ins_2abc', 'ins_2def']],
    ['space and newline separated', ' ins_2abc \n ins_2def ', ['ins_2abc', 'ins_2def']],
    ['repeated', 'ins_2abc, ins_2abc', ['ins_2abc']],
  ])('reads %s', (_label, value, expected) => {
    expect(parseInstanceIds(value, 'CLERK_INSTANCE_IDS')).toEqual(expected);
  });

  it.each([
    [' , ', 'CLERK_INSTANCE_IDS names no Clerk instance id; leave it unset to accept events of any instance'],
    ['pk_live_abc', 'CLERK_INSTANCE_IDS: "pk_live_abc" is not a Clerk instance id (ins_ followed by letters and digits)'],
    ['ins_', 'CLERK_INSTANCE_IDS: "ins_" is not a Clerk instance id (ins_ followed by letters and digits)'],
  ])('rejects "%s"', (value, message) => {
    expect(() => parseInstanceIds(value, 'CLERK_INSTANCE_IDS')).toThrow(new ConfigurationError(message));
  });
});
