import { GraphWidget, type IWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { RECONCILER_METRICS } from '../../../lambdas/shared/metrics-contract';
import type { AlarmSpec } from '../monitoring';
import { METRIC_PERIOD, type PipelineMetrics, sumOfCounts } from '../pipeline-metrics';
import { RECONCILE_DEFAULTS } from './reconcile-defaults';
import type { ScheduledReconciliation } from './scheduled-reconciliation';

/**
 * The reconciliation's alarms, for the pipeline's monitoring to create with its topic and style
 * (keys are construct ids): drift found by a sweep, and a sweep that failed or got stuck.
 */
export function reconcileAlarmSpecs(reconciliation: ScheduledReconciliation, metrics: PipelineMetrics): Record<string, AlarmSpec> {
  const { stateMachine, driftAlarmThreshold } = reconciliation;
  return {
    ReconcileDrift: {
      name: 'reconcile-drift',
      metric: metrics.reconciler(RECONCILER_METRICS.sweepDrift, { statistic: Stats.MAXIMUM, period: RECONCILE_DEFAULTS.driftPeriod }),
      threshold: driftAlarmThreshold,
      description:
        `A reconciliation sweep found the table out of step with Clerk: it created, updated or pruned ${driftAlarmThreshold} or more users, organizations or memberships (metric ${RECONCILER_METRICS.sweepDrift}). The table is correct again; but webhooks were missed, and more may be. ` +
        'First: is the webhook endpoint failing (webhook-5xx, signature rejections: a rotated signing secret)? Is the Clerk endpoint disabled or missing event types? Is the DLQ holding events? Then look at the reconciler log for which entities changed ("entity not applied" lines for failures). The first sweep after turning reconciliation on fills the table and fires this once.',
    },
    ReconcileSweepFailed: {
      name: 'reconcile-sweep-failed',
      metric: sumOfCounts('Failed or stuck sweeps, and entities a sweep could not apply', {
        failed: stateMachine.metricFailed({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        timedOut: stateMachine.metricTimedOut({ statistic: Stats.SUM, period: METRIC_PERIOD }),
        entities: metrics.reconciler(RECONCILER_METRICS.failed),
      }),
      threshold: 1,
      description:
        `A reconciliation sweep failed (Clerk unreachable or refusing the key after every retry, a DynamoDB error), ran past its timeout, or could not apply an entity (${RECONCILER_METRICS.failed}). Its checkpoint is kept in the state table: the next sweep resumes where it stopped. ` +
        'First: the failed execution in the Step Functions console shows the error; the reconciler log has the detail (401: the secret key in Secrets Manager is wrong; 429: lower requestsPerSecond). To resume at once, start an execution of the state machine by hand.',
    },
  };
}

/** A dashboard row: what the sweeps found and changed, and how they ran. */
export function reconcileDashboardWidgets(reconciliation: ScheduledReconciliation, metrics: PipelineMetrics): IWidget[] {
  const { stateMachine } = reconciliation;
  const sum = { statistic: Stats.SUM, period: RECONCILE_DEFAULTS.driftPeriod };
  return [
    new GraphWidget({
      title: 'Reconciliation: entities per hour',
      width: 12,
      height: 6,
      stacked: true,
      left: [
        metrics.reconciler(RECONCILER_METRICS.created, { ...sum, label: 'Created (missed)' }),
        metrics.reconciler(RECONCILER_METRICS.updated, { ...sum, label: 'Updated (missed)' }),
        metrics.reconciler(RECONCILER_METRICS.pruned, { ...sum, label: 'Pruned (deletion missed)' }),
        metrics.reconciler(RECONCILER_METRICS.failed, { ...sum, label: 'Failed' }),
      ],
      right: [metrics.reconciler(RECONCILER_METRICS.unchanged, { ...sum, label: 'Unchanged' })],
    }),
    new GraphWidget({
      title: 'Reconciliation sweeps',
      width: 12,
      height: 6,
      left: [
        stateMachine.metricStarted({ ...sum, label: 'Started' }),
        stateMachine.metricSucceeded({ ...sum, label: 'Succeeded' }),
        stateMachine.metricFailed({ ...sum, label: 'Failed' }),
        stateMachine.metricTimedOut({ ...sum, label: 'Timed out' }),
      ],
      right: [metrics.reconciler(RECONCILER_METRICS.sweepDrift, { statistic: Stats.MAXIMUM, period: RECONCILE_DEFAULTS.driftPeriod, label: 'Drift of a completed sweep' })],
    }),
  ];
}
