import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { isModelledEventType } from '../shared/clerk-events';
import { type MetricGroup, MetricCounts, MetricCountsBy, type MetricValue } from '../shared/metric-groups';
import { METRIC_DIMENSIONS, PROCESSOR_METRICS } from '../shared/metrics-contract';
import type { RecordOutcome, RecordResult } from './record-outcome';

/** CloudWatch metric (namespace ClerkWebhookSync) counting each record outcome, e.g. for alarms on dead-lettered events. */
export const OUTCOME_METRICS: Readonly<Record<RecordResult, string>> = {
  applied: PROCESSOR_METRICS.applied,
  duplicate: PROCESSOR_METRICS.duplicate,
  stale: PROCESSOR_METRICS.stale,
  ignored: PROCESSOR_METRICS.ignored,
  'dead-lettered': PROCESSOR_METRICS.deadLettered,
  failed: PROCESSOR_METRICS.failed,
};

/**
 * The `eventType` value of every type this project does not model. Clerk sends about 45 types
 * and adds more; anything a sender writes into `type` must not become a new CloudWatch metric.
 */
export const OTHER_EVENT_TYPE = 'other';

/** Results whose event reached the table's logic, so the time since Clerk emitted it means something. */
const LAGGED_RESULTS: ReadonlySet<RecordResult> = new Set<RecordResult>(['applied', 'duplicate', 'stale']);

export function eventTypeDimension(eventType: string | undefined): string {
  return eventType !== undefined && isModelledEventType(eventType) ? eventType : OTHER_EVENT_TYPE;
}

/**
 * One invocation's metrics: every outcome counted once with `{service}` and once with
 * `{service, eventType}` (a continued cascade also as CascadesContinued), and the processing lag of each applied, duplicate or stale event
 * with `{service}`. Counts are summed per invocation (one value per metric and group); groups
 * and metrics with nothing to count are left out.
 */
export function outcomeMetricGroups(outcomes: readonly RecordOutcome[], nowMillis: number): MetricGroup[] {
  const total = new MetricCounts();
  const byType = new MetricCountsBy();
  const lags: MetricValue[] = [];

  for (const outcome of outcomes) {
    const name = OUTCOME_METRICS[outcome.result];
    total.add(name);
    byType.add(eventTypeDimension(outcome.eventType), name);
    if (outcome.cascade === 'continued') {
      total.add(PROCESSOR_METRICS.cascadeContinued);
      byType.add(eventTypeDimension(outcome.eventType), PROCESSOR_METRICS.cascadeContinued);
    }
    if (LAGGED_RESULTS.has(outcome.result) && outcome.occurredAt !== undefined) {
      // Clock skew can put an event slightly in the future; a negative lag would only confuse.
      lags.push({ name: PROCESSOR_METRICS.lag, unit: MetricUnit.Milliseconds, value: Math.max(0, nowMillis - outcome.occurredAt) });
    }
  }

  const groups: MetricGroup[] = [];
  if (total.size > 0) groups.push({ dimensions: {}, values: [...total.values(), ...lags] });
  groups.push(...byType.groups(METRIC_DIMENSIONS.eventType));
  return groups;
}
