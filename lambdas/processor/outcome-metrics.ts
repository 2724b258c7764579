import type { RecordResult } from './record-outcome';

/** CloudWatch metric (namespace ClerkWebhookSync) counting each record outcome, e.g. for alarms on dead-lettered events. */
export const OUTCOME_METRICS: Readonly<Record<RecordResult, string>> = {
  applied: 'EventsApplied',
  duplicate: 'EventsDuplicate',
  stale: 'EventsStale',
  ignored: 'EventsIgnored',
  'dead-lettered': 'EventsDeadLettered',
  failed: 'EventsFailed',
};
