import { GraphWidget, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { NOTIFIER_METRICS } from '../../../lambdas/shared/metrics-contract';
import type { PipelineMetrics } from '../pipeline-metrics';
import { streamLagWidget } from '../stream-reader-parts';
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
    streamLagWidget(notifier, 'Mail stream: lag and failures', 'Notifier errors'),
  ];
}
