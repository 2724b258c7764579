import { GraphWidget, type IWidget, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { NOTIFIER_METRICS } from '../../../lambdas/shared/metrics-contract';
import { METRIC_PERIOD, type PipelineMetrics } from '../pipeline-metrics';
import type { MailNotifier } from './mail-notifier';

/** A dashboard row: what the mails came to, and how the stream is keeping up. */
export function mailDashboardWidgets(notifier: Pick<MailNotifier, 'function' | 'failureQueue'>, metrics: PipelineMetrics): IWidget[] {
  return [
    new GraphWidget({
      title: 'Mails: sent, skipped, records failed',
      width: 12,
      height: 6,
      left: [
        metrics.notifier(NOTIFIER_METRICS.sent, { label: 'Sent' }),
        metrics.notifier(NOTIFIER_METRICS.skipped, { label: 'Skipped (already sent, backfill, no e-mail, ...)' }),
        metrics.notifier(NOTIFIER_METRICS.failed, { label: 'Records failed (retried)' }),
      ],
    }),
    new GraphWidget({
      title: 'Mail stream: lag and failures',
      width: 12,
      height: 6,
      left: [notifier.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD, label: 'Iterator age (ms)' })],
      right: [
        notifier.failureQueue.metricApproximateNumberOfMessagesVisible({
          statistic: Stats.MAXIMUM,
          period: METRIC_PERIOD,
          label: 'In the failure queue',
        }),
        notifier.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD, label: 'Notifier errors' }),
      ],
    }),
  ];
}
