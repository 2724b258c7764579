import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DEFAULT_TOMBSTONE_TTL_DAYS } from '../shared/table-schema';
import { optionalIntEnv, requireEnv } from '../shared/require-env';
import { createProcessorHandler } from './create-processor-handler';
import { OUTCOME_METRICS } from './outcome-metrics';

const logger = new Logger({ serviceName: 'clerk-webhook-sync-processor' });
const metrics = new Metrics({ namespace: 'ClerkWebhookSync', serviceName: 'processor' });

const processBatch = createProcessorHandler({
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }),
  sqs: new SQSClient({}),
  tableName: requireEnv('TABLE_NAME'),
  deadLetterQueueUrl: requireEnv('DEAD_LETTER_QUEUE_URL'),
  tombstoneTtlDays: optionalIntEnv('TOMBSTONE_TTL_DAYS', DEFAULT_TOMBSTONE_TTL_DAYS),
  now: Date.now,
  logger,
  onOutcome: (outcome) => metrics.addMetric(OUTCOME_METRICS[outcome.result], MetricUnit.Count, 1),
});

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await processBatch(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
