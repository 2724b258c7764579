import type { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';

/** What a deployment says about its change events (the `changeEvents` prop; docs/change-events.md). */
export interface ChangeEventsProps {
  /**
   * The bus the change events go to; the publisher may put events on it and on nothing else.
   * @default - a new bus
   */
  readonly eventBus?: IEventBus;
  /**
   * Keep every change event (source `clerk-webhook-sync`) in an archive of the bus for this long,
   * so consumers can replay them (EventBridge's StartReplay). Whole days.
   * @default - no archive
   */
  readonly archiveRetention?: Duration;
  /**
   * Stream records per invocation (1 to 10,000).
   * @default CHANGE_PUBLISHER_DEFAULTS.batchSize (100)
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers records before invoking (0 to 5 minutes): fewer
   * invocations at low traffic, later events.
   * @default - none: each poll's records at once
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failing record before its batch goes to the on-failure queue (0 to 10,000).
   * Unset, a failing record is retried until it is `maxRecordAge` old, holding back the
   * records after it, so the order of the events is kept through an outage of the bus.
   * @default - until `maxRecordAge`
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this go to the on-failure queue instead of the bus. From 1 minute to
   * under 24 hours: DynamoDB drops stream records after 24 hours, without a trace in the queue.
   * @default CHANGE_EVENTS_DEFAULTS.maxRecordAge (6 hours)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Memory of the publisher function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How far the publisher may fall behind the stream (Lambda's IteratorAge) before the lag alarm fires.
   * @default CHANGE_EVENTS_DEFAULTS.iteratorAgeAlarmThreshold (30 minutes)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
}
