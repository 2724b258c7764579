import { optionalIntEnv, requireEnv } from '../shared/require-env';

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
} as const;

export const VERIFIER_DEFAULTS = {
  /** Largest webhook body accepted, bytes: anything larger is answered 413 before any HMAC (the local server too). */
  maxBodyBytes: 256 * 1024,
  /** How long the signing secret is kept between Secrets Manager reads: a rotation takes effect within this. */
  secretCacheTtlSeconds: 300,
} as const;

export interface VerifierConfig {
  readonly queueUrl: string;
  readonly signingSecretArn: string;
  readonly maxBodyBytes: number;
  readonly secretCacheTtlSeconds: number;
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readVerifierConfig(env: NodeJS.ProcessEnv = process.env): VerifierConfig {
  return {
    queueUrl: requireEnv(VERIFIER_ENV.queueUrl, env),
    signingSecretArn: requireEnv(VERIFIER_ENV.signingSecretArn, env),
    maxBodyBytes: optionalIntEnv(VERIFIER_ENV.maxBodyBytes, VERIFIER_DEFAULTS.maxBodyBytes, env),
    secretCacheTtlSeconds: optionalIntEnv(VERIFIER_ENV.secretCacheTtlSeconds, VERIFIER_DEFAULTS.secretCacheTtlSeconds, env),
  };
}
