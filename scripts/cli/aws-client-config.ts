import { LOCAL_CREDENTIALS } from './local-pipeline';
import { blankToUndefined } from './args';

/** Region, endpoint and credentials of an SDK client as the options say; only what is set. */
export function awsClientConfig(options: { readonly region?: string | undefined; readonly endpoint?: string | undefined; readonly local: boolean }): {
  region?: string;
  endpoint?: string;
  credentials?: typeof LOCAL_CREDENTIALS;
} {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.local ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
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
