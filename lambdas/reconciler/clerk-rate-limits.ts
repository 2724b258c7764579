/**
 * Clerk's Backend API rate limits per instance (README, "Backfill and reconciliation"): 1,000
 * requests per 10 seconds for a production instance, 100 for a development one. The secret key
 * says which: `sk_live_…` is production, `sk_test_…` development.
 */
export const CLERK_RATE_LIMITS = {
  production: { requests: 1_000, perSeconds: 10 },
  development: { requests: 100, perSeconds: 10 },
} as const;

export type ClerkInstanceKind = keyof typeof CLERK_RATE_LIMITS;

/** The share of the limit a sweep uses by default, leaving the rest to the application's own calls. */
export const DEFAULT_SHARE_OF_RATE_LIMIT = 0.8;

/** Anything but a live key counts as development: the lower limit is the safe guess. */
export function instanceKindOf(secretKey: string): ClerkInstanceKind {
  return secretKey.startsWith('sk_live_') ? 'production' : 'development';
}

/** Requests per second a sweep makes unless told otherwise: 80 for a live key, 8 for a test key. */
export function defaultRequestsPerSecond(secretKey: string): number {
  const limit = CLERK_RATE_LIMITS[instanceKindOf(secretKey)];
  return (limit.requests / limit.perSeconds) * DEFAULT_SHARE_OF_RATE_LIMIT;
}
