import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricGroup, MetricValue } from '../shared/metric-groups';
import { RECONCILER_METRICS } from '../shared/metrics-contract';
import type { SweepCounts } from './sweep-checkpoint';

const PER_INVOCATION = ['created', 'updated', 'pruned', 'unchanged', 'skipped', 'failed'] as const;

/**
 * What one invocation did, as counts with `{service}` (zeros included, so a sweep without drift
 * shows 0 rather than a gap), and, when the sweep completed in it, the whole sweep's drift.
 */
export function sweepMetricGroups(invocation: SweepCounts, completedSweep?: SweepCounts): MetricGroup[] {
  const values: MetricValue[] = PER_INVOCATION.map((key) => ({ name: RECONCILER_METRICS[key], unit: MetricUnit.Count, value: invocation[key] }));
  if (completedSweep !== undefined) {
    values.push({ name: RECONCILER_METRICS.sweepDrift, unit: MetricUnit.Count, value: driftOf(completedSweep) });
  }
  return [{ dimensions: {}, values }];
}

/** Changes the webhooks should have brought and did not. */
export function driftOf(counts: SweepCounts): number {
  return counts.created + counts.updated + counts.pruned;
}
