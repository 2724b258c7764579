import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createEmfPublisher, powertoolsSettings } from '../shared/metric-groups';
import { clientOptions } from '../shared/sdk-client-options';
import { SERVICE_NAMES } from '../shared/metrics-contract';
import { changeEventMetricGroups } from './change-event-metrics';
import { CHANGE_PUBLISHER_DEFAULTS, readChangeEventsConfig } from './change-events-config';
import { createChangeEventsHandler } from './create-change-events-handler';
import { createEventBridgePublisher } from './event-bridge-publisher';

// Configuration is read at cold start so a bad deployment fails loudly before any batch.
const config = readChangeEventsConfig();
const settings = powertoolsSettings(SERVICE_NAMES.changeEvents);
const logger = new Logger({ serviceName: settings.serviceName });
const metrics = createEmfPublisher(settings);
// Module scope: the client lives as long as the Lambda environment. Bounded calls: a hung
// endpoint fails a put in seconds (then the record is retried), never the whole invocation.
const publish = createEventBridgePublisher(new EventBridgeClient(clientOptions(CHANGE_PUBLISHER_DEFAULTS.eventBridgeTimeouts)), config.eventBusName);

export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  logger.addContext(context);
  let published = 0;
  let recordsFailed = 0;
  try {
    return await createChangeEventsHandler({
      publish,
      logger,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      onPublished: (events) => void (published += events.length),
      onRecordFailed: () => void (recordsFailed += 1),
    })(event);
  } finally {
    try {
      metrics.publish(changeEventMetricGroups(published, recordsFailed));
    } catch (error) {
      // Metrics are observability, never a reason to put a batch's events again.
      logger.warn('metrics not published', { error });
    }
  }
}
