import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureEmf } from '../../test/support/capture-emf';
import { createEmfPublisher } from '../shared/metric-groups';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../shared/metrics-contract';
import { MAIL_OUTCOME_METRICS, mailOutcomeMetricGroups } from './mail-outcome-metrics';
import type { MailOutcome } from './notifier-deps';

const count = (name: string, value: number) => ({ name, unit: MetricUnit.Count, value });
const welcome = (result: MailOutcome['result'], reason?: string): MailOutcome => ({
  kind: 'welcome',
  userId: 'user_2a',
  result,
  ...(reason === undefined ? {} : { reason }),
});
const adminWelcome = (result: MailOutcome['result'], reason?: string): MailOutcome => ({
  ...welcome(result, reason),
  kind: 'admin-welcome',
  orgId: 'org_2o',
  membershipId: 'orgmem_2m',
});

describe('mail outcome metrics', () => {
  it('names every result by the metrics contract', () => {
    expect(MAIL_OUTCOME_METRICS).toEqual({ sent: 'MailsSent', skipped: 'MailsSkipped', failed: 'MailRecordsFailed' });
  });

  it('counts in total, per mail kind, and skips per reason', () => {
    const groups = mailOutcomeMetricGroups([
      welcome('sent'),
      welcome('sent'),
      welcome('skipped', 'already-sent'),
      welcome('skipped', 'backfill'),
      welcome('failed', 'MailSendError: MessageRejected'),
      adminWelcome('sent'),
      adminWelcome('skipped', 'pending-recipient'),
      adminWelcome('skipped', 'already-sent'),
      // A reason this code does not know must not become a new CloudWatch dimension value.
      adminWelcome('skipped', 'something new'),
    ]);
    expect(groups).toEqual([
      { dimensions: {}, values: [count('MailsSent', 3), count('MailsSkipped', 5), count('MailRecordsFailed', 1)] },
      { dimensions: { mailKind: 'admin-welcome' }, values: [count('MailsSent', 1), count('MailsSkipped', 3)] },
      { dimensions: { mailKind: 'welcome' }, values: [count('MailsSent', 2), count('MailsSkipped', 2), count('MailRecordsFailed', 1)] },
      { dimensions: { reason: 'already-sent' }, values: [count('MailsSkipped', 2)] },
      { dimensions: { reason: 'backfill' }, values: [count('MailsSkipped', 1)] },
      { dimensions: { reason: 'other' }, values: [count('MailsSkipped', 1)] },
      { dimensions: { reason: 'pending-recipient' }, values: [count('MailsSkipped', 1)] },
    ]);
  });

  it('publishes nothing for an invocation without mails', () => {
    expect(mailOutcomeMetricGroups([])).toEqual([]);
  });

  it('reaches CloudWatch in the ClerkWebhookSync namespace under the notifier service', async () => {
    const publisher = createEmfPublisher({ serviceName: SERVICE_NAMES.notifier, namespace: METRICS_NAMESPACE });
    const documents = await captureEmf(() => publisher.publish(mailOutcomeMetricGroups([welcome('sent'), welcome('skipped', 'no-email')])));
    expect(documents.map((document) => document._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [['service']],
      [['service', 'mailKind']],
      [['service', 'reason']],
    ]);
    expect(documents.map(({ _aws, ...values }) => values)).toEqual([
      { service: 'clerk-webhook-notifier', MailsSent: 1, MailsSkipped: 1 },
      { service: 'clerk-webhook-notifier', mailKind: 'welcome', MailsSent: 1, MailsSkipped: 1 },
      { service: 'clerk-webhook-notifier', reason: 'no-email', MailsSkipped: 1 },
    ]);
  });
});
