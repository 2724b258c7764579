import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, Metric, type MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  CHANGE_EVENT_METRICS,
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  NOTIFIER_METRICS,
  PROCESSOR_METRICS,
  RECONCILER_METRICS,
  type RejectionReason,
  SERVICE_NAMES,
  VERIFIER_METRICS,
} from '../../lambdas/shared/metrics-contract';

/** Period of every alarm and dashboard graph unless one says otherwise. */
export const METRIC_PERIOD = Duration.minutes(5);

type VerifierMetricName = (typeof VERIFIER_METRICS)[keyof typeof VERIFIER_METRICS];
type ProcessorMetricName = (typeof PROCESSOR_METRICS)[keyof typeof PROCESSOR_METRICS];
type NotifierMetricName = (typeof NOTIFIER_METRICS)[keyof typeof NOTIFIER_METRICS];
type ChangeEventMetricName = (typeof CHANGE_EVENT_METRICS)[keyof typeof CHANGE_EVENT_METRICS];
type ReconcilerMetricName = (typeof RECONCILER_METRICS)[keyof typeof RECONCILER_METRICS];

// CloudWatch's rules for a namespace; "AWS/" is reserved for AWS's own.
const NAMESPACE = /^[A-Za-z0-9._\-/#:]{1,255}$/;

/**
 * The metrics namespace of one pipeline: `ClerkWebhookSync/<pipeline name>`. Every instance gets
 * its own, so two pipelines in one account (two stacks, or two constructs in one stack) never add
 * up each other's counts in an alarm. The functions read it from POWERTOOLS_METRICS_NAMESPACE.
 */
export function pipelineNamespace(pipelineName: string): string {
  const namespace = `${METRICS_NAMESPACE}/${pipelineName}`;
  if (!NAMESPACE.test(namespace)) {
    throw new Error(`metrics namespace "${namespace}" is not a valid CloudWatch namespace (letters, digits, . _ - / # :)`);
  }
  return namespace;
}

/**
 * The functions' own metrics of one pipeline, named by lambdas/shared/metrics-contract.ts.
 * Powertools puts a `service` dimension (POWERTOOLS_SERVICE_NAME) on every metric, and CloudWatch
 * treats each dimension set as its own metric: these ask for exactly the sets the functions emit.
 */
export class PipelineMetrics {
  constructor(public readonly namespace: string) {
    if (!NAMESPACE.test(namespace) || namespace.startsWith('AWS/')) {
      throw new Error(`"${namespace}" is not a valid CloudWatch namespace for custom metrics`);
    }
  }

  verifier(metricName: VerifierMetricName, options: MetricOptions = {}): Metric {
    return this.custom(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.verifier }, options);
  }

  /** `WebhooksRejected` for one reason (dimensions `service`, `reason`). */
  rejection(reason: RejectionReason, options: MetricOptions = {}): Metric {
    return this.custom(
      VERIFIER_METRICS.rejected,
      { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.verifier, [METRIC_DIMENSIONS.reason]: reason },
      options,
    );
  }

  processor(metricName: ProcessorMetricName, options: MetricOptions = {}): Metric {
    return this.custom(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.processor }, options);
  }

  /** A notifier count with `{service}` alone: the notifier publishes each count once that way (and again per kind or reason). */
  notifier(metricName: NotifierMetricName, options: MetricOptions = {}): Metric {
    return this.custom(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.notifier }, options);
  }

  /** A change events publisher count (dimension `service` only, the one set it publishes). */
  changeEvents(metricName: ChangeEventMetricName, options: MetricOptions = {}): Metric {
    return this.custom(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.changeEvents }, options);
  }

  /** A reconciler count (`{service}`), per invocation of the scheduled sweep. */
  reconciler(metricName: ReconcilerMetricName, options: MetricOptions = {}): Metric {
    return this.custom(metricName, { [METRIC_DIMENSIONS.service]: SERVICE_NAMES.reconciler }, options);
  }

  /**
   * One line per event type of a processor outcome metric (dimensions `service`, `eventType`).
   * A SEARCH rather than one metric per modelled type: it also shows the unmodelled types Clerk
   * sends, and types Clerk adds later, without a redeploy. Dashboards only (alarms cannot SEARCH).
   */
  perEventTypeSearch(metricName: ProcessorMetricName, period: Duration = METRIC_PERIOD): MathExpression {
    const schema = `{"${this.namespace}",${METRIC_DIMENSIONS.eventType},${METRIC_DIMENSIONS.service}}`;
    const filter = `MetricName="${metricName}" ${METRIC_DIMENSIONS.service}="${SERVICE_NAMES.processor}"`;
    return new MathExpression({
      expression: `SEARCH('${schema} ${filter}', '${Stats.SUM}', ${period.toSeconds()})`,
      usingMetrics: {},
      label: `\${PROP('Dim.${METRIC_DIMENSIONS.eventType}')}`,
      period,
    });
  }

  /**
   * Requests the verifier queued (accepted): its invocations less every request it counted as not
   * queued (foreign instance, event type not modelled, rejected, failed) and less its errors (a crash or timeout counts
   * nothing). The verifier publishes no metric for an accepted request (VERIFIER_METRICS), so
   * this is how the dashboard shows them.
   */
  verifierAccepted(verifier: IFunction, label: string): MathExpression {
    const options = { statistic: Stats.SUM, period: METRIC_PERIOD };
    return new MathExpression({
      expression: 'invocations - FILL(errors, 0) - FILL(foreign, 0) - FILL(notModelled, 0) - FILL(rejected, 0) - FILL(failed, 0)',
      usingMetrics: {
        invocations: verifier.metricInvocations(options),
        errors: verifier.metricErrors(options),
        foreign: this.verifier(VERIFIER_METRICS.foreignInstance),
        notModelled: this.verifier(VERIFIER_METRICS.notModelled),
        rejected: this.verifier(VERIFIER_METRICS.rejected),
        failed: this.verifier(VERIFIER_METRICS.failed),
      },
      label,
      period: METRIC_PERIOD,
    });
  }

  private custom(metricName: string, dimensionsMap: Record<string, string>, options: MetricOptions): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap,
      statistic: Stats.SUM,
      period: METRIC_PERIOD,
      ...options,
    });
  }
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
