import { ConfigurationError } from '../shared/errors';
import { configuredEndpoint, readLambdaAwsEnvironment, secretsManagerEndpoint, sqsEndpoint } from './aws-lambda-environment';

const LAMBDA = {
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'token',
};

describe('readLambdaAwsEnvironment', () => {
  it("reads the region and the execution role's temporary credentials", () => {
    expect(readLambdaAwsEnvironment(LAMBDA)).toEqual({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    });
  });

  it('takes long-lived keys without a session token', () => {
    expect(readLambdaAwsEnvironment({ ...LAMBDA, AWS_SESSION_TOKEN: '' }).credentials).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret' });
  });

  it.each(['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])('fails at cold start naming %s when it is missing', (name) => {
    expect(() => readLambdaAwsEnvironment({ ...LAMBDA, [name]: undefined })).toThrow(
      new ConfigurationError(`environment variable ${name} is required but not set`),
    );
  });
});

describe('endpoints', () => {
  it("Secrets Manager: the region's endpoint in the partition of the URL suffix", () => {
    expect(secretsManagerEndpoint('eu-central-1', 'amazonaws.com', {})).toBe('https://secretsmanager.eu-central-1.amazonaws.com');
    expect(secretsManagerEndpoint('cn-north-1', 'amazonaws.com.cn', {})).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn');
  });

  it("Secrets Manager: the SDK's environment variables, the service's own first", () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9000' };
    expect(secretsManagerEndpoint('eu-central-1', 'amazonaws.com', env)).toBe('http://127.0.0.1:9000/');
    expect(secretsManagerEndpoint('eu-central-1', 'amazonaws.com', { AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL })).toBe('http://127.0.0.1:4566/');
    expect(secretsManagerEndpoint('eu-central-1', 'amazonaws.com', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBe(
      'https://secretsmanager.eu-central-1.amazonaws.com',
    );
  });

  it('refuses an endpoint variable that is not an http(s) URL, naming it', () => {
    expect(() => configuredEndpoint('SECRETS_MANAGER', { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'localhost:9000' })).toThrow(
      new ConfigurationError('environment variable AWS_ENDPOINT_URL_SECRETS_MANAGER is not an http(s) URL: "localhost:9000"'),
    );
    expect(() => configuredEndpoint('SQS', { AWS_ENDPOINT_URL: 'not a url' })).toThrow(
      new ConfigurationError('environment variable AWS_ENDPOINT_URL is not a URL: "not a url"'),
    );
  });

  it("SQS: the queue URL's own origin", () => {
    expect(sqsEndpoint('https://sqs.eu-central-1.amazonaws.com/123456789012/clerk-events')).toBe('https://sqs.eu-central-1.amazonaws.com');
    expect(sqsEndpoint('http://sqs.us-east-1.localhost:4566/000000000000/events')).toBe('http://sqs.us-east-1.localhost:4566');
    expect(() => sqsEndpoint('clerk-events', 'environment variable QUEUE_URL')).toThrow(
      new ConfigurationError('environment variable QUEUE_URL is not a URL: "clerk-events"'),
    );
  });
});
