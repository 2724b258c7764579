import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricGroup } from '../shared/metric-groups';
import { RECONCILER_METRICS } from '../shared/metrics-contract';
import type { SweepCounts } from './sweep-checkpoint';

/** What one invocation did, as counts with `{service}`; zero counts are sent too, so a sweep without drift shows 0, not a gap. */
export function sweepMetricGroups(done: SweepCounts): MetricGroup[] {
  const values = (Object.keys(RECONCILER_METRICS) as (keyof typeof RECONCILER_METRICS)[]).map((key) => ({
    name: RECONCILER_METRICS[key],
    unit: MetricUnit.Count,
    value: done[key],
  }));
  return [{ dimensions: {}, values }];
}
