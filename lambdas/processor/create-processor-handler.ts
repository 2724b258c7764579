import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processRecord, type RecordProcessingDeps } from './process-record';
import { CASCADE_TIME_RESERVE_MS, PROCESSOR_DEFAULTS } from './processor-config';
import type { RecordOutcome } from './record-outcome';

export interface ProcessorDeps {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly deadLetterQueueUrl: string;
  /** The queue the handler consumes: a cascade that ran out of its budget continues in a new message there. */
  readonly queueUrl: string;
  /** Epoch ms. */
  readonly now: () => number;
  readonly logger: Logger;
  /** @default PROCESSOR_DEFAULTS.tombstoneTtlDays */
  readonly tombstoneTtlDays?: number;
  /** See ApplyContext.readParentsFirst. @default PROCESSOR_DEFAULTS.readParentsFirst */
  readonly readParentsFirst?: boolean;
  /** Time left in the invocation, ms (Lambda's context.getRemainingTimeInMillis). @default unlimited */
  readonly remainingTimeMs?: () => number;
  /** Deletes per cascade and receive. @default PROCESSOR_DEFAULTS.cascadeDeletesPerReceive */
  readonly cascadeDeletesPerReceive?: number;
  /** @default CASCADE_TIME_RESERVE_MS */
  readonly cascadeTimeReserveMs?: number;
  /** Called once per record with what happened to it. */
  readonly onOutcome?: (outcome: RecordOutcome) => void;
}

/**
 * The processor: applies a batch of queued Clerk events to the table, records concurrently
 * (conditional writes make that safe), and reports only the records that should be retried
 * as batch item failures. Malformed records are dead-lettered by hand and acknowledged; a
 * deletion whose cascade outgrows one invocation is re-enqueued to continue, and acknowledged.
 */
export function createProcessorHandler(deps: ProcessorDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordDeps = recordDepsOf(deps);

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

/** The handler's dependencies with every default applied, as processRecord takes them. */
export function recordDepsOf(deps: ProcessorDeps): RecordProcessingDeps {
  return {
    ...deps,
    tombstoneTtlDays: deps.tombstoneTtlDays ?? PROCESSOR_DEFAULTS.tombstoneTtlDays,
    readParentsFirst: deps.readParentsFirst ?? PROCESSOR_DEFAULTS.readParentsFirst,
    cascade: {
      maxDeletes: deps.cascadeDeletesPerReceive ?? PROCESSOR_DEFAULTS.cascadeDeletesPerReceive,
      remainingTimeMs: deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY),
      timeReserveMs: deps.cascadeTimeReserveMs ?? CASCADE_TIME_RESERVE_MS,
    },
  };
}
