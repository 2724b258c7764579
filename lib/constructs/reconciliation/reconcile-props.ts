import type { Duration } from 'aws-cdk-lib';

/** What a deployment says about its scheduled reconciliation (the `reconcile` prop; README, "Backfill and reconciliation"). */
export interface ReconcileProps {
  /**
   * Name of the Secrets Manager secret whose value is the Clerk instance's secret key
   * (`sk_live_…`). The reconciler may read this secret's value and nothing else.
   */
  readonly secretKeySecretName: string;
  /**
   * When sweeps start: an EventBridge Scheduler expression, `rate(…)`, `cron(…)` (UTC).
   * @default RECONCILE_DEFAULTS.schedule ('rate(1 day)')
   */
  readonly schedule?: string;
  /**
   * Requests per second to Clerk's Backend API.
   * @default - 80% of the instance's limit, from the key: 80 for `sk_live_`, 8 for `sk_test_`
   */
  readonly requestsPerSecond?: number;
  /**
   * Delete what the table holds live and Clerk no longer has (a missed `*.deleted`), with its
   * cascades, each one confirmed by a direct lookup first.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Entities a completed sweep created, updated or pruned (its drift) that raise the drift alarm.
   * @default RECONCILE_DEFAULTS.driftAlarmThreshold (1)
   */
  readonly driftAlarmThreshold?: number;
  /**
   * How long one sweep may take, across all its invocations, before it counts as stuck (the
   * state machine's timeout, alarmed).
   * @default RECONCILE_DEFAULTS.sweepTimeout (12 hours)
   */
  readonly sweepTimeout?: Duration;
  /**
   * Clerk's Backend API, for a proxy or a test double.
   * @default RECONCILER_DEFAULTS.clerkApiUrl ('https://api.clerk.com')
   */
  readonly clerkApiUrl?: string;
  /**
   * Memory of the reconciler function in MB.
   * @default 512
   */
  readonly memorySize?: number;
}
