import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import { Archive, EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHANGE_EVENT_SOURCE } from '../../../lambdas/change-events/change-event';
import { CHANGE_PUBLISHER_DEFAULTS, CHANGE_PUBLISHER_ENV } from '../../../lambdas/change-events/change-events-config';
import { SERVICE_NAMES } from '../../../lambdas/shared/metrics-contract';
import { CHANGE_EVENTS_DEFAULTS } from '../../pipeline-defaults';
import type { AlarmSpec } from '../monitoring';
import { type FunctionLoggingProps, functionLogging, NodeFunction, PROJECT_ROOT } from '../node-function';
import type { PipelineMetrics } from '../pipeline-metrics';
import { addStreamEventSource, checkStreamReaderLimits, streamFailureQueue } from '../stream-reader-parts';
import type { SyncTable } from '../sync-table';
import { changeEventAlarmSpecs, changeEventDashboardWidgets } from './change-events-monitoring';
import type { ChangeEventsProps } from './change-events-props';

export interface ChangeEventsConstructProps extends ChangeEventsProps, FunctionLoggingProps {
  /** The table whose stream (NEW_AND_OLD_IMAGES) the changes are read from. */
  readonly syncTable: SyncTable;
}

/**
 * Change events (docs/change-events.md): a Lambda function on the sync table's stream that puts
 * one event per committed change of a user, organization, membership or session on an
 * EventBridge bus, with the same event source rules as the mail notifier: from the oldest record
 * (TRIM_HORIZON), one batch at a time per shard (order), partial batch responses, bisection, a
 * maximum record age, then the batch's metadata to an on-failure queue. The function may put
 * events on this bus and on nothing else.
 */
export class ChangeEvents extends Construct {
  public readonly eventBus: IEventBus;
  /** Whether `eventBus` was made here (no `eventBus` prop). */
  public readonly eventBusCreated: boolean;
  /** Present when `archiveRetention` is. */
  public readonly archive?: Archive;
  /** Where the event source sends the metadata of batches it gave up on (alarmed). */
  public readonly failureQueue: Queue;
  public readonly function: IFunction;
  public readonly nodeFunction: NodeFunction;
  public readonly eventSource: DynamoEventSource;
  public readonly maxRecordAge: Duration;
  public readonly iteratorAgeAlarmThreshold: Duration;

  constructor(scope: Construct, id: string, props: ChangeEventsConstructProps) {
    super(scope, id);
    const settings = changeEventSettings(props);
    this.maxRecordAge = settings.maxRecordAge;
    this.iteratorAgeAlarmThreshold = settings.iteratorAgeAlarmThreshold;
    const table = props.syncTable.table;
    if (props.syncTable.streamViewType !== StreamViewType.NEW_AND_OLD_IMAGES) {
      throw new Error('change events need the sync table stream with NEW_AND_OLD_IMAGES (SyncTable prop `stream`)');
    }

    this.eventBusCreated = props.eventBus === undefined;
    this.eventBus = props.eventBus ?? new EventBus(this, 'Bus', { description: 'Change events of the Clerk sync table (source clerk-webhook-sync)' });
    if (props.archiveRetention !== undefined) {
      // Only our events: on a bus the app shares, the archive keeps no one else's.
      this.archive = new Archive(this, 'Archive', {
        sourceEventBus: this.eventBus,
        eventPattern: { source: [CHANGE_EVENT_SOURCE] },
        retention: props.archiveRetention,
        description: 'Change events of the Clerk sync table, for replays',
      });
    }

    this.failureQueue = streamFailureQueue(this, 'FailureQueue', 'change events publisher', CHANGE_EVENTS_DEFAULTS.failureRetention);

    this.nodeFunction = new NodeFunction(this, 'Publisher', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'change-events', 'index.ts'),
      description: 'Puts a change event on the bus for each committed change of the sync table',
      serviceName: SERVICE_NAMES.changeEvents,
      timeout: CHANGE_EVENTS_DEFAULTS.publisherTimeout,
      memorySize: props.memorySize,
      ...functionLogging(props),
      environment: { [CHANGE_PUBLISHER_ENV.eventBusName]: this.eventBus.eventBusName },
    });
    this.function = this.nodeFunction.function;

    this.eventSource = addStreamEventSource(this.function, table, {
      batchSize: settings.batchSize,
      ...(props.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: props.maxBatchingWindow }),
      ...(settings.retryAttempts === undefined ? {} : { retryAttempts: settings.retryAttempts }),
      maxRecordAge: settings.maxRecordAge,
      failureQueue: this.failureQueue,
    });

    // events:PutEvents on this bus alone.
    this.eventBus.grantPutEventsTo(this.function);
  }

  /** The publisher's alarms, for the pipeline's monitoring to create (keys are construct ids). */
  public alarmSpecs(metrics: PipelineMetrics): Record<string, AlarmSpec> {
    return changeEventAlarmSpecs(this, metrics);
  }

  /** A dashboard row: what was published, and how the stream is keeping up. */
  public dashboardWidgets(metrics: PipelineMetrics): IWidget[] {
    return changeEventDashboardWidgets(this, metrics);
  }
}

interface ChangeEventSettings {
  readonly batchSize: number;
  readonly retryAttempts?: number;
  readonly maxRecordAge: Duration;
  readonly iteratorAgeAlarmThreshold: Duration;
}

/** The props with their defaults, checked at synth against Lambda's and the stream's limits. */
function changeEventSettings(props: ChangeEventsProps): ChangeEventSettings {
  const batchSize = props.batchSize ?? CHANGE_PUBLISHER_DEFAULTS.batchSize;
  const { retryAttempts } = props;
  const maxRecordAge = props.maxRecordAge ?? CHANGE_EVENTS_DEFAULTS.maxRecordAge;
  const iteratorAgeAlarmThreshold = props.iteratorAgeAlarmThreshold ?? CHANGE_EVENTS_DEFAULTS.iteratorAgeAlarmThreshold;
  checkStreamReaderLimits('changeEvents', { batchSize, retryAttempts, maxRecordAge, iteratorAgeAlarmThreshold });
  const archiveDays = props.archiveRetention?.toDays({ integral: false });
  if (archiveDays !== undefined && (!Number.isInteger(archiveDays) || archiveDays < 1)) {
    // EventBridge reads 0 as "keep for ever": an archive that only grows is asked for by leaving nothing out, not by 0.
    throw new Error(`changeEvents archiveRetention must be a whole number of days, at least 1, got ${props.archiveRetention!.toHumanString()}`);
  }
  if (props.maxBatchingWindow !== undefined && props.maxBatchingWindow.toSeconds() > 300) {
    throw new Error(`changeEvents maxBatchingWindow must be at most 5 minutes, got ${props.maxBatchingWindow.toHumanString()}`);
  }
  return { batchSize, ...(retryAttempts === undefined ? {} : { retryAttempts }), maxRecordAge, iteratorAgeAlarmThreshold };
}
