import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metrics-contract';

/**
 * What a function publishes at the end of an invocation, as plain data: the mapping from
 * outcomes to metrics is a pure function (unit tested), and only `createEmfPublisher` talks
 * to Powertools.
 */

export type MetricUnitName = typeof MetricUnit.Count | typeof MetricUnit.Milliseconds;

export interface MetricValue {
  readonly name: string;
  readonly unit: MetricUnitName;
  /** Several values of one name in a group become one EMF array: CloudWatch sees each value. */
  readonly value: number;
}

/** Metrics sharing one dimension set: `service` (always, from Powertools) plus `dimensions`. */
export interface MetricGroup {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly MetricValue[];
}

export interface MetricsPublisher {
  /** Writes one EMF line per non-empty group. */
  publish(groups: readonly MetricGroup[]): void;
}

export interface PowertoolsSettings {
  readonly serviceName: string;
  readonly namespace: string;
  /**
   * The application log level Lambda filters the function's output at (`AWS_LAMBDA_LOG_LEVEL`,
   * set by Lambda under the JSON log format with a log level), if any.
   */
  readonly lambdaLogLevel?: string;
}

/**
 * The stack sets POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE; without them the code
 * uses the same values, so the alarms (which look metrics up by these names) find them either way.
 */
export function powertoolsSettings(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): PowertoolsSettings {
  const lambdaLogLevel = env.AWS_LAMBDA_LOG_LEVEL?.trim();
  return {
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || defaultServiceName,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || METRICS_NAMESPACE,
    ...(lambdaLogLevel ? { lambdaLogLevel } : {}),
  };
}

/**
 * Top-level key Lambda reads a JSON line's level from. Lambda files a line without one as INFO,
 * and under an application log level of WARN it would drop every metric: so each EMF document
 * carries the level Lambda filters at, which it always delivers. CloudWatch ignores the key when
 * it extracts the metrics (it is neither a dimension nor a metric).
 */
export const LAMBDA_LEVEL_KEY = 'level';

/**
 * Publishes groups in CloudWatch embedded metric format through Powertools Metrics. One EMF
 * document can only carry one value per dimension, so each dimension set gets its own Metrics
 * instance (kept: the dimension values are a small, bounded set). Under Lambda's log-level
 * filtering every document is marked with the level Lambda delivers (`LAMBDA_LEVEL_KEY`).
 * POWERTOOLS_METRICS_DISABLED (or POWERTOOLS_DEV) silences it, as Powertools documents.
 */
export function createEmfPublisher(settings: PowertoolsSettings): MetricsPublisher {
  const byDimensions = new Map<string, Metrics>();

  const metricsFor = (dimensions: Readonly<Record<string, string>>): Metrics => {
    const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let metrics = byDimensions.get(key);
    if (metrics === undefined) {
      metrics = new Metrics({
        namespace: settings.namespace,
        serviceName: settings.serviceName,
        defaultDimensions: { ...dimensions },
      });
      byDimensions.set(key, metrics);
    }
    return metrics;
  };

  return {
    publish(groups) {
      for (const group of groups) {
        if (group.values.length === 0) continue;
        const metrics = metricsFor(group.dimensions);
        for (const { name, unit, value } of group.values) metrics.addMetric(name, unit, value);
        // Metadata is a top-level key of the document, cleared by every publish.
        if (settings.lambdaLogLevel !== undefined) metrics.addMetadata(LAMBDA_LEVEL_KEY, settings.lambdaLogLevel);
        metrics.publishStoredMetrics();
      }
    },
  };
}

/** Counts per metric name, kept per invocation and turned into one value per name. */
export class MetricCounts {
  private readonly counts = new Map<string, number>();

  add(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get size(): number {
    return this.counts.size;
  }

  values(): MetricValue[] {
    return [...this.counts].map(([name, value]) => ({ name, unit: MetricUnit.Count, value }));
  }
}

/** The same counts kept per dimension value (event type, mail kind, reason), listed in a stable order. */
export class MetricCountsBy {
  private readonly byKey = new Map<string, MetricCounts>();

  add(key: string, name: string): void {
    let counts = this.byKey.get(key);
    if (counts === undefined) this.byKey.set(key, (counts = new MetricCounts()));
    counts.add(name);
  }

  /** One group per key with `{ [dimension]: key }`, sorted by key. */
  groups(dimension: string): MetricGroup[] {
    return [...this.byKey]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, counts]) => ({ dimensions: { [dimension]: key }, values: counts.values() }));
  }
}
