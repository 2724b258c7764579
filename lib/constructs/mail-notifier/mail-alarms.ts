import { Duration } from 'aws-cdk-lib';
import { Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { NOTIFIER_METRICS } from '../../../lambdas/shared/metrics-contract';
import type { AlarmSpec } from '../monitoring';
import { METRIC_PERIOD, type PipelineMetrics } from '../pipeline-metrics';
import type { MailNotifier } from './mail-notifier';

export const MAIL_ALARM_DEFAULTS = {
  /**
   * Far above a healthy lag (seconds) and above the time a failing batch spends in its retries,
   * well below `maxRecordAge` (6 h), after which records go to the on-failure queue unsent.
   */
  iteratorAgeThreshold: Duration.minutes(30),
} as const;

type AlarmedNotifier = Pick<MailNotifier, 'function' | 'failureQueue' | 'retryAttempts' | 'maxRecordAge' | 'iteratorAgeAlarmThreshold'>;

/**
 * The notifier's alarms, for the pipeline's monitoring to create with its topic and style
 * (keys are construct ids). Each description tells the person paged what was lost and what to do.
 */
export function mailAlarmSpecs(notifier: AlarmedNotifier, metrics: PipelineMetrics): Record<string, AlarmSpec> {
  const retries = `${notifier.retryAttempts} retries`;
  const maxAge = notifier.maxRecordAge.toHumanString();
  const threshold = notifier.iteratorAgeAlarmThreshold;
  return {
    MailFailuresNotEmpty: {
      name: 'mail-failures-not-empty',
      metric: notifier.failureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: METRIC_PERIOD,
      }),
      threshold: 1,
      description:
        `The notifier gave up on stream records (${retries} failed, or the records were older than ${maxAge}): their mails were NOT sent. ` +
        'Each message in the mail failure queue (output MailFailureQueueUrl) holds the shard and the sequence number range of a failed batch, not the records; the records stay readable in the table stream for 24 hours after they were written. ' +
        'First: find the cause in the notifier logs (SES refusing the sender or a sandbox recipient, throttling) and fix it. Within those 24 hours, `npm run replay-mails -- --failure-queue-url <MailFailureQueueUrl> --table <TableName> --ledger-table <LedgerTableName> --from <sender>` reads the records back from the stream and sends the mails still owed (the ledger skips mails already sent), deleting each message it completed; `--dry-run` lists them first. The alarm clears when the queue is empty.',
    },
    NotifierErrors: {
      name: 'notifier-errors',
      metric: notifier.function.metricErrors({ statistic: Stats.SUM, period: METRIC_PERIOD }),
      threshold: 1,
      description:
        `The notifier function failed whole invocations (crash, timeout, bad configuration); the stream event source retries the batch, halving it, and after ${retries} sends its metadata to the mail failure queue. ` +
        'First: search the notifier log group for ERROR and "Task timed out"; check recent deployments and the function environment.',
    },
    MailStreamLagging: {
      name: 'mail-stream-lagging',
      metric: notifier.function.metric('IteratorAge', { statistic: Stats.MAXIMUM, period: METRIC_PERIOD }),
      threshold: threshold.toMilliseconds(),
      description:
        `The notifier is ${threshold.toHumanString()} or more behind the sync table stream (IteratorAge): mails are late, records older than ${maxAge} go unsent to the mail failure queue, and the stream drops records after 24 hours. ` +
        'First: notifier errors and MailRecordsFailed on the dashboard, the notifier logs, and whether its event source mapping is enabled.',
    },
    MailRecordsFailing: {
      name: 'mail-records-failing',
      metric: metrics.notifier(NOTIFIER_METRICS.failed),
      threshold: 1,
      periods: 3,
      description:
        `Stream records failed in the notifier in each of the last three 5-minute periods (metric ${NOTIFIER_METRICS.failed}); the event source retries them and after ${retries} moves the batch to the mail failure queue. ` +
        'Usually SES refusing sends (identity not verified, sandbox recipient, sending quota or rate) or the ledger table throttled. First: the reason in the notifier logs.',
    },
  };
}
