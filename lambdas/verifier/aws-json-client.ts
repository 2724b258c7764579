import { setTimeout as sleep } from 'node:timers/promises';
import { checkTimeouts, type ClientTimeouts } from '../shared/sdk-client-options';
import { createHttpTransport, type AwsTransport } from './aws-http-transport';
import { AwsUnexpectedResponseError, isRetryable, isThrottling, parseAwsJsonError, retryDelayMs } from './aws-json-errors';
import { type AwsCredentials, createSigV4Signer } from './aws-sigv4';

/** How a service speaks the AWS JSON protocol. */
export interface AwsJsonService {
  /** For error messages: `SQS`, `Secrets Manager`. */
  readonly displayName: string;
  /** SigV4 signing name. */
  readonly signingName: string;
  /** `X-Amz-Target` is `<targetPrefix>.<operation>`. */
  readonly targetPrefix: string;
  /** `Content-Type: application/x-amz-json-<version>`. */
  readonly jsonVersion: '1.0' | '1.1';
  /** Asks for the query protocol's error code as well (`x-amzn-query-mode`), as the SDK does for SQS. */
  readonly queryCompatible: boolean;
}

export const SQS_SERVICE: AwsJsonService = {
  displayName: 'SQS',
  signingName: 'sqs',
  targetPrefix: 'AmazonSQS',
  jsonVersion: '1.0',
  queryCompatible: true,
};

export const SECRETS_MANAGER_SERVICE: AwsJsonService = {
  displayName: 'Secrets Manager',
  signingName: 'secretsmanager',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
  queryCompatible: false,
};

export interface AwsJsonClientOptions {
  readonly service: AwsJsonService;
  /** Where requests go: `https://host[:port][/path]`, or `http://` for a local emulator or stub. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Per attempt, and how many attempts. */
  readonly timeouts: ClientTimeouts;
  /** @default node:https (node:http for an http:// endpoint) with a keep-alive Agent of its own */
  readonly transport?: AwsTransport;
  /** Draws the retry jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** One AWS service's JSON-protocol operations, signed with SigV4. */
export interface AwsJsonClient {
  /** The operation's output; rejects with the last attempt's failure (aws-json-errors.ts). */
  call(operation: string, input: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** Closes kept-alive connections. */
  destroy(): void;
}

const USER_AGENT = 'clerk-webhook-sync-verifier';

/**
 * A POST per call, as the SDK sends it for the AWS JSON protocols (1.0 and 1.1): the JSON input
 * as body, the operation in `X-Amz-Target`, signed afresh for each attempt. Attempts are bounded
 * by `timeouts`; a failure a retry may cure (aws-json-errors.ts, isRetryable) is retried after a
 * jittered wait (retryDelayMs, within what worstCaseCallMs allows), anything else fails at once.
 */
export function createAwsJsonClient(options: AwsJsonClientOptions): AwsJsonClient {
  const { service, timeouts } = options;
  checkTimeouts(timeouts);
  const url = new URL(options.endpoint);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  const signer = createSigV4Signer({ service: service.signingName, region: options.region, credentials: options.credentials });
  const http = options.transport === undefined ? createHttpTransport(url.protocol) : undefined;
  const send = options.transport ?? http!.send;
  const random = options.random ?? Math.random;

  async function attempt(operation: string, body: string): Promise<Record<string, unknown>> {
    // Signed with the local clock. Unlike the SDK, no correction for a skewed clock is learned from
    // a refusal (a skewed request fails, and the verifier answers 503): Lambda keeps its clocks
    // synchronised, so the SDK's correction is for machines this client never runs on.
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path,
      query: {},
      headers: {
        host: url.host,
        'content-type': `application/x-amz-json-${service.jsonVersion}`,
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': `${service.targetPrefix}.${operation}`,
        ...(service.queryCompatible ? { 'x-amzn-query-mode': 'true' } : {}),
        'user-agent': USER_AGENT,
      },
      body,
    });
    const response = await send(
      { method: 'POST', hostname: url.hostname, ...(signed.port === undefined ? {} : { port: signed.port }), path, headers: signed.headers, body },
      timeouts,
    );
    if (response.statusCode < 200 || response.statusCode >= 300) throw parseAwsJsonError(response.statusCode, response.headers, response.body);
    return parseOutput(service, operation, response.body);
  }

  return {
    async call(operation, input) {
      const body = JSON.stringify(input);
      for (let attemptNumber = 1; ; attemptNumber += 1) {
        try {
          return await attempt(operation, body);
        } catch (error) {
          if (attemptNumber >= timeouts.maxAttempts || !isRetryable(error)) throw error;
          await sleep(retryDelayMs(attemptNumber, isThrottling(error), random));
        }
      }
    },
    destroy: () => http?.destroy(),
  };
}

function parseOutput(service: AwsJsonService, operation: string, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsUnexpectedResponseError(`${service.displayName} answered ${operation} with ${body.length} bytes that are not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
