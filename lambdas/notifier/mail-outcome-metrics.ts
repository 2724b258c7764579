import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MailKind } from '../shared/mail-ledger-schema';
import type { MetricGroup, MetricValue } from '../shared/metric-groups';
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
  const total = new Map<string, number>();
  const byKind = new Map<MailKind, Map<string, number>>();
  const skipsByReason = new Map<string, number>();

  for (const outcome of outcomes) {
    const name = MAIL_OUTCOME_METRICS[outcome.result];
    increment(total, name);
    let counts = byKind.get(outcome.kind);
    if (counts === undefined) byKind.set(outcome.kind, (counts = new Map()));
    increment(counts, name);
    if (outcome.result === 'skipped') {
      const reason = outcome.reason !== undefined && KNOWN_SKIP_REASONS.has(outcome.reason) ? outcome.reason : OTHER_SKIP_REASON;
      increment(skipsByReason, reason);
    }
  }

  const groups: MetricGroup[] = [];
  if (total.size > 0) groups.push({ dimensions: {}, values: countsOf(total) });
  for (const [kind, counts] of [...byKind].sort(([a], [b]) => compare(a, b))) {
    groups.push({ dimensions: { [METRIC_DIMENSIONS.mailKind]: kind }, values: countsOf(counts) });
  }
  for (const [reason, count] of [...skipsByReason].sort(([a], [b]) => compare(a, b))) {
    groups.push({
      dimensions: { [METRIC_DIMENSIONS.reason]: reason },
      values: [{ name: NOTIFIER_METRICS.skipped, unit: MetricUnit.Count, value: count }],
    });
  }
  return groups;
}

function increment(counts: Map<string, number>, name: string): void {
  counts.set(name, (counts.get(name) ?? 0) + 1);
}

function countsOf(counts: ReadonlyMap<string, number>): MetricValue[] {
  return [...counts].map(([name, value]) => ({ name, unit: MetricUnit.Count, value }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
