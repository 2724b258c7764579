import { coldStart, thrownBy } from '../../test/support/cold-start';

/** index.ts reads its configuration at import: a bad deployment fails at cold start, before any request. */
describe('verifier index', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const importIndex = (): unknown => coldStart(() => require('./index'));

  /** What the stack and Lambda set. */
  const CONFIGURED = {
    QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
    PARTITION_URL_SUFFIX: 'amazonaws.com',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
  };

  it.each(Object.keys(CONFIGURED).filter((name) => name !== 'AWS_SESSION_TOKEN'))('throws a ConfigurationError naming %s when it is missing', (name) => {
    Object.assign(process.env, CONFIGURED);
    delete process.env[name];
    const error = thrownBy(importIndex);
    expect(error.name).toBe('ConfigurationError');
    expect(error.code).toBe('CONFIGURATION');
    expect(error.message).toBe(`environment variable ${name} is required but not set`);
  });

  it('rejects a MAX_BODY_BYTES that is not a positive integer', () => {
    Object.assign(process.env, CONFIGURED, { MAX_BODY_BYTES: '256k' });
    const error = thrownBy(importIndex);
    expect(error.message).toBe('environment variable MAX_BODY_BYTES must be a positive integer, got "256k"');
  });

  it('exports a handler when configured', () => {
    Object.assign(process.env, CONFIGURED);
    expect(importIndex()).toEqual({ handler: expect.any(Function) });
  });
});
