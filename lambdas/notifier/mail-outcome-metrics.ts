import { type MetricGroup, MetricCounts, MetricCountsBy } from '../shared/metric-groups';
import { MAIL_SKIP_REASONS, METRIC_DIMENSIONS, NOTIFIER_METRICS } from '../shared/metrics-contract';
import type { MailOutcome } from './notifier-deps';

export const MAIL_OUTCOME_METRICS: Readonly<Record<MailOutcome['result'], string>> = {
  sent: NOTIFIER_METRICS.sent,
  skipped: NOTIFIER_METRICS.skipped,
  failed: NOTIFIER_METRICS.failed,
};

/** Any reason this code does not know becomes one value, so a dimension never grows without bound. */
export const OTHER_SKIP_REASON = 'other';
const KNOWN_SKIP_REASONS: ReadonlySet<string> = new Set(Object.values(MAIL_SKIP_REASONS));

/**
 * One invocation's metrics: every outcome counted with `{service}` and with
 * `{service, mailKind}`, and every skip with `{service, reason}`. Summed per invocation;
 * groups with nothing to count are left out.
 */
export function mailOutcomeMetricGroups(outcomes: readonly MailOutcome[]): MetricGroup[] {
  const total = new MetricCounts();
  const byKind = new MetricCountsBy();
  const skipsByReason = new MetricCountsBy();

  for (const outcome of outcomes) {
    const name = MAIL_OUTCOME_METRICS[outcome.result];
    total.add(name);
    byKind.add(outcome.kind, name);
    if (outcome.result === 'skipped') {
      const reason = outcome.reason !== undefined && KNOWN_SKIP_REASONS.has(outcome.reason) ? outcome.reason : OTHER_SKIP_REASON;
      skipsByReason.add(reason, NOTIFIER_METRICS.skipped);
    }
  }

  const groups: MetricGroup[] = [];
  if (total.size > 0) groups.push({ dimensions: {}, values: total.values() });
  groups.push(...byKind.groups(METRIC_DIMENSIONS.mailKind), ...skipsByReason.groups(METRIC_DIMENSIONS.reason));
  return groups;
}
