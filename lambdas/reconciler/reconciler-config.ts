import { ConfigurationError } from '../shared/errors';
import { optionalBooleanEnv, optionalIntEnv, requireEnv } from '../shared/require-env';
import { PROCESSOR_DEFAULTS } from '../processor/processor-config';
import type { ClientTimeouts } from '../shared/sdk-client-options';

/**
 * The reconciler's configuration: the environment variables lib/constructs/reconciliation sets,
 * the defaults of its settings and how they are read. Plain values only: the function bundles
 * this module. `npm run backfill` shares the defaults.
 */

/** Environment variables of the reconciler function. */
export const RECONCILER_ENV = {
  /** The sync table. */
  tableName: 'TABLE_NAME',
  /** The reconciliation state table: the checkpoint and the lease. */
  stateTableName: 'STATE_TABLE_NAME',
  /** Name (or complete ARN) of the Secrets Manager secret whose value is the Clerk secret key (`sk_live_…`). */
  secretKeySecretId: 'CLERK_SECRET_KEY_SECRET_ID',
  /** Optional; default RECONCILER_DEFAULTS.clerkApiUrl. */
  clerkApiUrl: 'CLERK_API_URL',
  /** Optional positive number; default: 80% of the limit of the key's instance (clerk-rate-limits.ts). */
  requestsPerSecond: 'REQUESTS_PER_SECOND',
  /** `true` or `false`. */
  prune: 'PRUNE',
  /** Optional positive integer; default PROCESSOR_DEFAULTS.tombstoneTtlDays, as the processor's. */
  tombstoneTtlDays: 'TOMBSTONE_TTL_DAYS',
} as const;

export const RECONCILER_DEFAULTS = {
  /** Clerk's Backend API (the SDK adds `/v1`). */
  clerkApiUrl: 'https://api.clerk.com',
  /** The function's timeout: Lambda's maximum. */
  timeoutSeconds: 900,
  /** An invocation stops starting pages this long before its timeout, then saves and returns. */
  stopBeforeTimeoutMs: 120_000,
  /**
   * How long a sweep's lease outlives its last checkpoint: longer than one invocation, so the
   * loop's next invocation renews it; a sweep that died frees it within this time.
   */
  leaseMs: 20 * 60_000,
  prune: true,
  /**
   * Every DynamoDB and Secrets Manager call: three attempts of at most 5 s (a scan or batch page
   * is larger than the processor's single items), so a hung call fails within 18 s with the
   * SDK's backoff (worstCaseCallMs), inside the two minutes an invocation keeps before its timeout.
   */
  awsCalls: { connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000, maxAttempts: 3 } satisfies ClientTimeouts,
} as const;

export interface ReconcilerConfig {
  readonly tableName: string;
  readonly stateTableName: string;
  readonly secretKeySecretId: string;
  readonly clerkApiUrl: string;
  readonly requestsPerSecond?: number;
  readonly prune: boolean;
  readonly tombstoneTtlDays: number;
}

/** Throws a ConfigurationError on anything missing or malformed: a bad deployment fails at cold start. */
export function readReconcilerConfig(env: NodeJS.ProcessEnv = process.env): ReconcilerConfig {
  const rate = env[RECONCILER_ENV.requestsPerSecond]?.trim();
  const requestsPerSecond = rate === undefined || rate === '' ? undefined : positiveRate(rate, `environment variable ${RECONCILER_ENV.requestsPerSecond}`);
  return {
    tableName: requireEnv(RECONCILER_ENV.tableName, env),
    stateTableName: requireEnv(RECONCILER_ENV.stateTableName, env),
    secretKeySecretId: requireEnv(RECONCILER_ENV.secretKeySecretId, env),
    clerkApiUrl: env[RECONCILER_ENV.clerkApiUrl]?.trim() || RECONCILER_DEFAULTS.clerkApiUrl,
    ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
    prune: optionalBooleanEnv(RECONCILER_ENV.prune, RECONCILER_DEFAULTS.prune, env),
    tombstoneTtlDays: optionalIntEnv(RECONCILER_ENV.tombstoneTtlDays, PROCESSOR_DEFAULTS.tombstoneTtlDays, env),
  };
}

/** Requests per second: a positive number (0.5 is one request every two seconds). */
export function positiveRate(raw: string | number, source: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${source} must be a positive number of requests per second, got "${raw}"`);
  return value;
}
