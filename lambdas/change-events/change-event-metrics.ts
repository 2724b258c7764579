import { type MetricGroup, MetricCounts } from '../shared/metric-groups';
import { CHANGE_EVENT_METRICS } from '../shared/metrics-contract';

/** One invocation's counts, with `{service}` only; nothing to count, no group. */
export function changeEventMetricGroups(published: number, recordsFailed: number): MetricGroup[] {
  const counts = new MetricCounts();
  if (published > 0) counts.add(CHANGE_EVENT_METRICS.published, published);
  if (recordsFailed > 0) counts.add(CHANGE_EVENT_METRICS.recordsFailed, recordsFailed);
  return counts.size === 0 ? [] : [{ dimensions: {}, values: counts.values() }];
}
