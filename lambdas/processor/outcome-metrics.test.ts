import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MODELLED_EVENT_TYPES } from '../shared/clerk-events';
import { captureEmf } from '../../test/support/capture-emf';
import { createEmfPublisher } from '../shared/metric-groups';
import { METRICS_NAMESPACE, PROCESSOR_METRICS, SERVICE_NAMES } from '../shared/metrics-contract';
import { eventTypeDimension, OTHER_EVENT_TYPE, OUTCOME_METRICS, outcomeMetricGroups } from './outcome-metrics';
import type { RecordOutcome } from './record-outcome';

const NOW = Date.UTC(2024, 4, 29, 12, 0, 0);
let sequence = 0;
const outcome = (result: RecordOutcome['result'], eventType?: string, occurredAt?: number): RecordOutcome => ({
  messageId: `m${(sequence += 1)}`,
  result,
  ...(eventType === undefined ? {} : { eventType }),
  ...(occurredAt === undefined ? {} : { occurredAt }),
});
const count = (name: string, value: number) => ({ name, unit: MetricUnit.Count, value });
const lag = (value: number) => ({ name: PROCESSOR_METRICS.lag, unit: MetricUnit.Milliseconds, value });

describe('outcome metrics', () => {
  it('names every outcome by the metrics contract', () => {
    expect(OUTCOME_METRICS).toEqual({
      applied: 'EventsApplied',
      duplicate: 'EventsDuplicate',
      stale: 'EventsStale',
      ignored: 'EventsIgnored',
      'dead-lettered': 'EventsDeadLettered',
      failed: 'EventsFailed',
    });
  });

  it('keeps every modelled type as its own eventType and puts everything else under one "other"', () => {
    for (const type of MODELLED_EVENT_TYPES) expect(eventTypeDimension(type)).toBe(type);
    for (const type of ['email.created', 'sms.created', 'user.created ', 'x'.repeat(300), undefined]) {
      expect(eventTypeDimension(type)).toBe(OTHER_EVENT_TYPE);
    }
  });

  it('counts a batch in total and per event type, with the lag of every event that reached the table', () => {
    const groups = outcomeMetricGroups(
      [
        outcome('applied', 'user.created', NOW - 1_500),
        outcome('applied', 'user.created', NOW - 500),
        outcome('duplicate', 'user.created', NOW - 60_000),
        outcome('stale', 'session.ended', NOW - 2_000),
        outcome('ignored', 'email.created'),
        outcome('ignored', 'sms.created'),
        outcome('dead-lettered', undefined),
        outcome('failed', 'organization.updated', NOW - 10),
        // Clock skew: never a negative lag.
        outcome('applied', 'organization.created', NOW + 3_000),
      ],
      NOW,
    );

    expect(groups).toEqual([
      {
        dimensions: {},
        values: [
          count('EventsApplied', 3),
          count('EventsDuplicate', 1),
          count('EventsStale', 1),
          count('EventsIgnored', 2),
          count('EventsDeadLettered', 1),
          count('EventsFailed', 1),
          lag(1_500),
          lag(500),
          lag(60_000),
          lag(2_000),
          lag(0),
        ],
      },
      { dimensions: { eventType: 'organization.created' }, values: [count('EventsApplied', 1)] },
      { dimensions: { eventType: 'organization.updated' }, values: [count('EventsFailed', 1)] },
      { dimensions: { eventType: 'other' }, values: [count('EventsIgnored', 2), count('EventsDeadLettered', 1)] },
      { dimensions: { eventType: 'session.ended' }, values: [count('EventsStale', 1)] },
      { dimensions: { eventType: 'user.created' }, values: [count('EventsApplied', 2), count('EventsDuplicate', 1)] },
    ]);
  });

  it('counts a deletion whose cascade continues in a new message as CascadesContinued, besides its outcome', () => {
    const continued = (result: RecordOutcome['result'], eventType: string): RecordOutcome => ({ ...outcome(result, eventType), cascade: 'continued' });
    expect(outcomeMetricGroups([continued('applied', 'organization.deleted'), continued('duplicate', 'organization.deleted'), continued('duplicate', 'user.deleted')], NOW)).toEqual([
      { dimensions: {}, values: [count('EventsApplied', 1), count('CascadesContinued', 3), count('EventsDuplicate', 2)] },
      { dimensions: { eventType: 'organization.deleted' }, values: [count('EventsApplied', 1), count('CascadesContinued', 2), count('EventsDuplicate', 1)] },
      { dimensions: { eventType: 'user.deleted' }, values: [count('EventsDuplicate', 1), count('CascadesContinued', 1)] },
    ]);
  });

  it('publishes nothing for an empty batch', () => {
    expect(outcomeMetricGroups([], NOW)).toEqual([]);
  });

  it('reaches CloudWatch as {service} and {service, eventType} dimension sets in the ClerkWebhookSync namespace', async () => {
    const publisher = createEmfPublisher({ serviceName: SERVICE_NAMES.processor, namespace: METRICS_NAMESPACE });
    const documents = await captureEmf(() =>
      publisher.publish(
        outcomeMetricGroups([outcome('applied', 'user.updated', NOW - 250), outcome('ignored', 'email.created')], NOW),
      ),
    );

    const dimensionSets = documents.map((document) => document._aws.CloudWatchMetrics[0]!.Dimensions);
    expect(dimensionSets).toEqual([[['service']], [['service', 'eventType']], [['service', 'eventType']]]);
    expect(documents.every((document) => document._aws.CloudWatchMetrics[0]!.Namespace === 'ClerkWebhookSync')).toBe(true);
    expect(documents.map(({ _aws, ...values }) => values)).toEqual([
      { service: 'clerk-webhook-processor', EventsApplied: 1, EventsIgnored: 1, ProcessingLag: 250 },
      { service: 'clerk-webhook-processor', eventType: 'other', EventsIgnored: 1 },
      { service: 'clerk-webhook-processor', eventType: 'user.updated', EventsApplied: 1 },
    ]);
    expect(documents[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([
      { Name: 'EventsApplied', Unit: 'Count' },
      { Name: 'EventsIgnored', Unit: 'Count' },
      { Name: 'ProcessingLag', Unit: 'Milliseconds' },
    ]);
  });
});
