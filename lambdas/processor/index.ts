import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEmfPublisher, powertoolsSettings } from '../shared/metric-groups';
import { SERVICE_NAMES } from '../shared/metrics-contract';
import { createProcessorHandler, type ProcessorDeps } from './create-processor-handler';
import { outcomeMetricGroups } from './outcome-metrics';
import { createProcessorClients } from './processor-clients';
import { readProcessorConfig } from './processor-config';
import type { RecordOutcome } from './record-outcome';

// Configuration is read at cold start so a bad deployment fails loudly before any batch.
const config = readProcessorConfig();
const settings = powertoolsSettings(SERVICE_NAMES.processor);
const logger = new Logger({ serviceName: settings.serviceName });
const metrics = createEmfPublisher(settings);

// Module scope: clients live as long as the Lambda environment.
const deps: ProcessorDeps = {
  ...createProcessorClients(),
  tableName: config.tableName,
  deadLetterQueueUrl: config.deadLetterQueueUrl,
  queueUrl: config.queueUrl,
  tombstoneTtlDays: config.tombstoneTtlDays,
  readParentsFirst: config.readParentsFirst,
  now: Date.now,
  logger,
};

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  // Collected per invocation, flushed once at the end, whatever happened.
  const outcomes: RecordOutcome[] = [];
  try {
    return await createProcessorHandler({
      ...deps,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      onOutcome: (outcome) => outcomes.push(outcome),
    })(event);
  } finally {
    try {
      metrics.publish(outcomeMetricGroups(outcomes, Date.now()));
    } catch (error) {
      // Metrics are observability, never a reason to retry a batch that was applied.
      logger.warn('metrics not published', { error });
    }
  }
}
