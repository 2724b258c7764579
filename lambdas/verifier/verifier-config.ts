import { ConfigurationError } from '../shared/errors';
import { optionalIntEnv, optionalString, requireEnv, splitList } from '../shared/require-env';
import type { ClientTimeouts } from '../shared/sdk-client-options';
import { parseSourceIpAllowList } from './source-ip-allow-list';

/**
 * The verifier's configuration: the environment variables lib/constructs/webhook-verifier.ts
 * sets, the defaults of its settings and how they are read and checked. Plain values only: the
 * function bundles this module, and aws-cdk-lib would add tens of MB.
 */

/** Environment variables of the verifier function. */
export const VERIFIER_ENV = {
  /** The verified-event queue the verifier sends to. */
  queueUrl: 'QUEUE_URL',
  /** The Secrets Manager secret holding the signing secret(s). */
  signingSecretArn: 'SIGNING_SECRET_ARN',
  /** Optional positive integer; default VERIFIER_DEFAULTS.maxBodyBytes. */
  maxBodyBytes: 'MAX_BODY_BYTES',
  /** Optional positive integer; default VERIFIER_DEFAULTS.secretCacheTtlSeconds. */
  secretCacheTtlSeconds: 'SECRET_CACHE_TTL_SECONDS',
  /** Optional Clerk instance ids (parseInstanceIds); unset: events of any instance are queued. */
  allowedInstanceIds: 'ALLOWED_INSTANCE_IDS',
  /** Optional source address allow-list (parseSourceIpAllowList); unset: any source. */
  allowedSourceIps: 'ALLOWED_SOURCE_IPS',
  /** The partition's domain (`amazonaws.com`, `amazonaws.com.cn`: the stack's `Aws.URL_SUFFIX`), for Secrets Manager's endpoint. */
  partitionUrlSuffix: 'PARTITION_URL_SUFFIX',
} as const;

/**
 * AWS calls of the verifier (its own client, aws-json-client.ts): a service that accepts the
 * connection and never answers costs at most 2 × 1 s per call and a retry wait under 0.5 s
 * (retryDelayMs; worstCaseCallMs bounds the call at 3 s with the longest wait it allows). A
 * request makes at most one Secrets Manager call (a second fetch waits at least 5 s after the
 * first one started, see secrets-manager-secret-source.ts) and one SQS call, so the worst case
 * stays inside the function's 10 s and Svix's 15 s, and the answer is a logged 503.
 */
const AWS_CALL_TIMEOUTS: ClientTimeouts = { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2 };

export const VERIFIER_DEFAULTS = {
  /** Largest webhook body accepted, bytes: anything larger is answered 413 before any HMAC (the local server too). */
  maxBodyBytes: 256 * 1024,
  /** How long the signing secret is kept between Secrets Manager reads: a rotation takes effect within this. */
  secretCacheTtlSeconds: 300,
  /** Lambda timeout of the verifier: Svix counts a delivery as failed after 15 s. */
  timeoutSeconds: 10,
  /** SendMessage to the event queue. */
  sqsTimeouts: AWS_CALL_TIMEOUTS,
  /** GetSecretValue of the signing secret. */
  secretsManagerTimeouts: AWS_CALL_TIMEOUTS,
  /**
   * After a failed secret read with nothing cached, requests are answered at once with the same
   * failure, without asking Secrets Manager, for 1 s, then 2 s, 4 s… up to 60 s: a flood of
   * requests while the secret is unreadable (or still the placeholder) costs one call per backoff.
   */
  secretFailureBackoff: { initialMs: 1_000, maxMs: 60_000 },
} as const;

export interface VerifierConfig {
  readonly queueUrl: string;
  readonly signingSecretArn: string;
  readonly partitionUrlSuffix: string;
  readonly maxBodyBytes: number;
  readonly secretCacheTtlSeconds: number;
  /** Absent: events of any Clerk instance are queued. */
  readonly allowedInstanceIds?: readonly string[];
  /** CIDR ranges; absent: requests from any source are verified. */
  readonly allowedSourceIps?: readonly string[];
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readVerifierConfig(env: NodeJS.ProcessEnv = process.env): VerifierConfig {
  const instanceIds = optionalString(env[VERIFIER_ENV.allowedInstanceIds]);
  const sourceIps = optionalString(env[VERIFIER_ENV.allowedSourceIps]);
  return {
    queueUrl: requireEnv(VERIFIER_ENV.queueUrl, env),
    signingSecretArn: requireEnv(VERIFIER_ENV.signingSecretArn, env),
    partitionUrlSuffix: requireEnv(VERIFIER_ENV.partitionUrlSuffix, env),
    maxBodyBytes: optionalIntEnv(VERIFIER_ENV.maxBodyBytes, VERIFIER_DEFAULTS.maxBodyBytes, env),
    secretCacheTtlSeconds: optionalIntEnv(VERIFIER_ENV.secretCacheTtlSeconds, VERIFIER_DEFAULTS.secretCacheTtlSeconds, env),
    ...(instanceIds === undefined
      ? {}
      : { allowedInstanceIds: parseInstanceIds(instanceIds, `environment variable ${VERIFIER_ENV.allowedInstanceIds}`) }),
    ...(sourceIps === undefined
      ? {}
      : { allowedSourceIps: parseSourceIpAllowList(sourceIps, `environment variable ${VERIFIER_ENV.allowedSourceIps}`) }),
  };
}

/** Clerk instance ids: `ins_` and letters or digits (Dashboard → Settings, or any event's `instance_id`). */
const INSTANCE_ID = /^ins_[A-Za-z0-9]{1,64}$/;

export function isInstanceId(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_ID.test(value);
}

/**
 * The one reader of an instance allow-list, wherever it comes from (the `allowedInstanceIds`
 * prop, the context key, ALLOWED_INSTANCE_IDS, `npm start`'s CLERK_INSTANCE_IDS): ids separated
 * by commas or whitespace, at least one. Throws a ConfigurationError naming `source`.
 */
export function parseInstanceIds(value: string, source: string): string[] {
  const ids = splitList(value);
  if (ids.length === 0) {
    throw new ConfigurationError(`${source} names no Clerk instance id; leave it unset to accept events of any instance`);
  }
  for (const id of ids) {
    if (!isInstanceId(id)) {
      throw new ConfigurationError(`${source}: "${id}" is not a Clerk instance id (ins_ followed by letters and digits)`);
    }
  }
  return [...new Set(ids)];
}
