import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, type MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import {
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  NOTIFIER_METRICS,
  PROCESSOR_METRICS,
  type RejectionReason,
  SERVICE_NAMES,
  VERIFIER_METRICS,
} from '../../lambdas/shared/metrics-contract';

/** Period of every alarm and dashboard graph unless one says otherwise. */
export const METRIC_PERIOD = Duration.minutes(5);

type VerifierMetricName = (typeof VERIFIER_METRICS)[keyof typeof VERIFIER_METRICS];
type ProcessorMetricName = (typeof PROCESSOR_METRICS)[keyof typeof PROCESSOR_METRICS];
type NotifierMetricName = (typeof NOTIFIER_METRICS)[keyof typeof NOTIFIER_METRICS];

/**
 * The functions' own metrics, named by lambdas/shared/metrics-contract.ts. Powertools puts a
 * `service` dimension (POWERTOOLS_SERVICE_NAME) on every metric, and CloudWatch treats each
 * dimension set as its own metric: these ask for exactly the sets the functions emit.
 */
export function verifierMetric(metricName: VerifierMetricName, options: MetricOptions = {}): Metric {
  return customMetric(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.verifier }, options);
}

/** `WebhooksRejected` for one reason (dimensions `service`, `reason`). */
export function rejectionMetric(reason: RejectionReason, options: MetricOptions = {}): Metric {
  return customMetric(
    VERIFIER_METRICS.rejected,
    { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.verifier, [METRIC_DIMENSIONS.reason]: reason },
    options,
  );
}

export function processorMetric(metricName: ProcessorMetricName, options: MetricOptions = {}): Metric {
  return customMetric(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.processor }, options);
}

/** A notifier count with `{service}` alone: the notifier publishes each count once that way (and again per kind or reason). */
export function notifierMetric(metricName: NotifierMetricName, options: MetricOptions = {}): Metric {
  return customMetric(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.notifier }, options);
}

/**
 * One line per event type of a processor outcome metric (dimensions `service`, `eventType`).
 * A SEARCH rather than one metric per modelled type: it also shows the unmodelled types Clerk
 * sends, and types Clerk adds later, without a redeploy. Dashboards only (alarms cannot SEARCH).
 */
export function perEventTypeSearch(metricName: ProcessorMetricName, period: Duration = METRIC_PERIOD): MathExpression {
  const schema = `{${METRICS_NAMESPACE},${METRIC_DIMENSIONS.eventType},${METRIC_DIMENSIONS.service}}`;
  const filter = `MetricName="${metricName}" ${METRIC_DIMENSIONS.service}="${SERVICE_NAMES.processor}"`;
  return new MathExpression({
    expression: `SEARCH('${schema} ${filter}', '${Stats.SUM}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: `\${PROP('Dim.${METRIC_DIMENSIONS.eventType}')}`,
    period,
  });
}

/**
 * The sum of several count metrics, each missing datapoint taken as 0. Metric math leaves a
 * period out when any input lacks a datapoint, and these metrics are only published when the
 * thing they count happens, so a plain `a + b` would almost never have a value.
 */
export function sumOfCounts(label: string, metrics: Record<string, IMetric>, period: Duration = METRIC_PERIOD): MathExpression {
  const ids = Object.keys(metrics);
  if (ids.length === 0 || ids.length > 10) throw new Error('sumOfCounts takes 1 to 10 metrics (alarm limit)');
  return new MathExpression({
    expression: ids.map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics: metrics,
    label,
    period,
  });
}

function customMetric(metricName: string, dimensionsMap: Record<string, string>, options: MetricOptions): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap,
    statistic: Stats.SUM,
    period: METRIC_PERIOD,
    ...options,
  });
}
