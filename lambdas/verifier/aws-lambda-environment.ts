import { ConfigurationError } from '../shared/errors';
import { optionalString, requireEnv } from '../shared/require-env';
import type { AwsCredentials } from './aws-sigv4';

/** Where the function is and who it is, as Lambda's runtime tells it. */
export interface LambdaAwsEnvironment {
  readonly region: string;
  readonly credentials: AwsCredentials;
}

/**
 * The region and the execution role's credentials from the variables Lambda sets before INIT.
 * That is all a Lambda function needs: Lambda assumes the execution role for the environment and
 * puts its temporary credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,
 * valid for the environment's life. The SDK's default chain reads the same variables first (its
 * environment link answers, so SSO, profiles, web identity and instance metadata are never
 * asked) and, as they carry no expiry, never reads them again either. No token here means
 * long-lived keys (the local pipeline, tests).
 */
export function readLambdaAwsEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaAwsEnvironment {
  const sessionToken = optionalString(env.AWS_SESSION_TOKEN);
  return {
    region: requireEnv('AWS_REGION', env),
    credentials: {
      accessKeyId: requireEnv('AWS_ACCESS_KEY_ID', env),
      secretAccessKey: requireEnv('AWS_SECRET_ACCESS_KEY', env),
      ...(sessionToken === undefined ? {} : { sessionToken }),
    },
  };
}

/** An http(s) URL, or a ConfigurationError naming where it came from. */
function endpointUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(`${source} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigurationError(`${source} is not an http(s) URL: "${value}"`);
  return url;
}

/**
 * An endpoint set in the environment, the SDK's way: `AWS_ENDPOINT_URL_<SERVICE ID>` (the service
 * id in capitals, spaces as `_`), else `AWS_ENDPOINT_URL`, neither when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. Lambda sets none of them.
 */
export function configuredEndpoint(serviceEnvId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (optionalString(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)?.toLowerCase() === 'true') return undefined;
  for (const name of [`AWS_ENDPOINT_URL_${serviceEnvId}`, 'AWS_ENDPOINT_URL']) {
    const value = optionalString(env[name]);
    if (value !== undefined) return endpointUrl(value, `environment variable ${name}`).href;
  }
  return undefined;
}

/**
 * Secrets Manager's endpoint: one set in the environment (configuredEndpoint), else the regional
 * one of the function's partition, whose domain (`amazonaws.com`, `amazonaws.com.cn`) the stack
 * passes as `Aws.URL_SUFFIX`.
 */
export function secretsManagerEndpoint(region: string, urlSuffix: string, env: NodeJS.ProcessEnv = process.env): string {
  return configuredEndpoint('SECRETS_MANAGER', env) ?? `https://secretsmanager.${region}.${urlSuffix}`;
}

/**
 * SQS's endpoint for SendMessage: the queue URL's own origin. The SDK does the same
 * (`useQueueUrlAsEndpoint`): a queue URL names its region's endpoint, and an endpoint set in the
 * environment (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL) gives way to it, so an emulator's queue URL
 * is what points the function at the emulator. Only an endpoint given in code (the local
 * pipeline, tests) goes before it.
 */
export function sqsEndpoint(queueUrl: string, source = 'the queue URL'): string {
  return endpointUrl(queueUrl, source).origin;
}
