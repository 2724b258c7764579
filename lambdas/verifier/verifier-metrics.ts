import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricGroup, MetricValue } from '../shared/metric-groups';
import { METRIC_DIMENSIONS, VERIFIER_METRICS } from '../shared/metrics-contract';
import type { WebhookOutcome } from './webhook-outcome';

const RESULT_METRICS: Readonly<Record<Exclude<WebhookOutcome['result'], 'accepted'>, string>> = {
  ignored: VERIFIER_METRICS.foreignInstance,
  'not-modelled': VERIFIER_METRICS.notModelled,
  rejected: VERIFIER_METRICS.rejected,
  failed: VERIFIER_METRICS.failed,
};

/**
 * One request's metrics: none for an accepted request (the dashboard counts those from the
 * function's invocations, see VERIFIER_METRICS), otherwise its result (`WebhooksForeignInstance`,
 * `WebhooksNotModelled`, `WebhooksRejected` or `WebhooksFailed`) with `{service}`, and a rejection once more with
 * `{service, reason}`, so an alarm can watch signature failures alone.
 */
export function webhookMetricGroups(outcome: WebhookOutcome): MetricGroup[] {
  if (outcome.result === 'accepted') return [];
  const groups: MetricGroup[] = [{ dimensions: {}, values: [count(RESULT_METRICS[outcome.result])] }];
  if (outcome.result === 'rejected' && outcome.rejection !== undefined) {
    groups.push({ dimensions: { [METRIC_DIMENSIONS.reason]: outcome.rejection }, values: [count(VERIFIER_METRICS.rejected)] });
  }
  return groups;
}

function count(name: string): MetricValue {
  return { name, unit: MetricUnit.Count, value: 1 };
}
