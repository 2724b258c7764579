import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processRecord } from './process-record';
import { PROCESSOR_DEFAULTS } from './processor-config';
import type { RecordOutcome } from './record-outcome';

export interface ProcessorDeps {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  /** Epoch ms. */
  readonly now: () => number;
  readonly logger: Logger;
  /** @default PROCESSOR_DEFAULTS.tombstoneTtlDays */
  readonly tombstoneTtlDays?: number;
  /** Called once per record with what happened to it. */
  readonly onOutcome?: (outcome: RecordOutcome) => void;
}

/**
 * The processor: applies a batch of queued Clerk events to the table, records concurrently
 * (conditional writes make that safe), and reports only the records that should be retried
 * as batch item failures. Malformed records are dead-lettered by hand and acknowledged.
 */
export function createProcessorHandler(deps: ProcessorDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordDeps = { ...deps, tombstoneTtlDays: deps.tombstoneTtlDays ?? PROCESSOR_DEFAULTS.tombstoneTtlDays };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const { outcome, retryError } = await processRecord(record, recordDeps);
    deps.onOutcome?.(outcome);
    if (retryError !== undefined) throw retryError;
  };

  return async (event) => {
    // One processor per invocation: it holds the batch's state, and invocations may overlap locally.
    const processor = new BatchProcessor(EventType.SQS, { logger: deps.logger });
    const response = await processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
    return { batchItemFailures: [...response.batchItemFailures] };
  };
}
