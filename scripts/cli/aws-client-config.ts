import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { type ClientTimeouts, clientOptions, type SdkClientTimeoutOptions } from '../../lambdas/shared/sdk-client-options';
import { LOCAL_CREDENTIALS } from './local-pipeline';
import { blankToUndefined } from './args';

/**
 * Every call the scripts make: three attempts of at most 5 s, so an endpoint that accepts the
 * connection and never answers ends the command with an error within about 15 s instead of
 * hanging. Long polls get their wait on top (`longPoll`).
 */
export const SCRIPT_AWS_CALLS: ClientTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 5_000, maxAttempts: 3 };

/** The session name the scripts' assumed-role sessions carry in CloudTrail. */
export const ROLE_SESSION_NAME = 'clerk-webhook-sync-script';

export interface ClientTargetOptions {
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly local: boolean;
  /** Assume this role (STS AssumeRole) with the default credentials, and call AWS as it. */
  readonly roleArn?: string | undefined;
}

/** Credentials as every SDK client takes them: fixed values, or a provider. */
type Credentials = NonNullable<SQSClientConfig['credentials']>;

export type ScriptClientConfig = SdkClientTimeoutOptions & { region?: string; endpoint?: string; credentials?: Credentials };

/** Region, endpoint and credentials of an SDK client as the options say (only what is set), with the scripts' timeouts. */
export function awsClientConfig(options: ClientTargetOptions): ScriptClientConfig {
  return {
    ...clientOptions(SCRIPT_AWS_CALLS),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.local ? { credentials: LOCAL_CREDENTIALS } : {}),
    ...(options.roleArn === undefined ? {} : { credentials: assumedRole(options.roleArn, options.region) }),
  };
}

/** Temporary credentials of the role, from STS (with the same timeouts), refreshed by the SDK as they expire. */
function assumedRole(roleArn: string, region: string | undefined): Credentials {
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME },
    clientConfig: { ...clientOptions(SCRIPT_AWS_CALLS), ...(region === undefined ? {} : { region }) },
  });
}

/** Per-call options of a long poll: the wait comes on top of the request timeout. */
export function longPoll(waitTimeSeconds: number): { requestTimeout: number } {
  return { requestTimeout: waitTimeSeconds * 1000 + SCRIPT_AWS_CALLS.requestTimeoutMs };
}

/** AWS_REGION, else AWS_DEFAULT_REGION, as the SDK reads them. */
export function regionFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return blankToUndefined(env.AWS_REGION) ?? blankToUndefined(env.AWS_DEFAULT_REGION);
}

/** `https://sqs.eu-west-1.amazonaws.com/…` (and the legacy `eu-west-1.queue.amazonaws.com`) name their region. */
export function regionOfQueueUrl(url: string): string | undefined {
  const host = new URL(url).hostname;
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}
