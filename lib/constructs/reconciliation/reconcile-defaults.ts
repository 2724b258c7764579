import { Duration } from 'aws-cdk-lib';
import { RECONCILER_DEFAULTS } from '../../../lambdas/reconciler/reconciler-config';
import { PROCESSOR_TABLE_ACTIONS } from '../event-processor';

/** The scheduled reconciliation's settings, as the construct uses them. */
export const RECONCILE_DEFAULTS = {
  schedule: 'rate(1 day)',
  /** Any drift means webhooks are being missed. */
  driftAlarmThreshold: 1,
  /** A sweep of a million users takes about half an hour at a production instance's rate (BENCHMARKS.md, section 7). */
  sweepTimeout: Duration.hours(12),
  /** Lambda's maximum: each invocation stops starting pages two minutes before it. */
  functionTimeout: Duration.seconds(RECONCILER_DEFAULTS.timeoutSeconds),
  memorySize: 512,
  /** The period the drift alarm reads `SweepDrift` over: published once per completed sweep. */
  driftPeriod: Duration.hours(1),
} as const;

/**
 * The reconciler's calls on the sync table: the processor's appliers, which it runs (conditional
 * PutItem/UpdateItem, the parent checks' GetItem, the cascades' Query and BatchWriteItem), the stored
 * states read before them (BatchGetItem), and with prune the scan for live items (Scan).
 */
export const RECONCILER_TABLE_ACTIONS = [...PROCESSOR_TABLE_ACTIONS, 'dynamodb:BatchGetItem'] as const;
export const RECONCILER_PRUNE_ACTIONS = ['dynamodb:Scan'] as const;

/** The lease and the checkpoint are one item, read and written by conditional UpdateItem alone. */
export const RECONCILER_STATE_ACTIONS = ['dynamodb:UpdateItem'] as const;
