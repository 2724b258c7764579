import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { type ProcessorDeps, recordDepsOf } from '../lambdas/processor/create-processor-handler';
import { processRecord } from '../lambdas/processor/process-record';
import { QUEUED_EVENT_ATTRIBUTES } from '../lambdas/shared/queued-event';

/**
 * The obvious alternative to idempotency in the table itself: a generic idempotency layer, done
 * the way Powertools for AWS Lambda's Idempotency utility does it (that package is not a
 * dependency here, so this is a faithful small copy of its DynamoDB persistence):
 *
 * 1. PutItem of a record keyed by a hash of the idempotency key (the svix id), status INPROGRESS,
 *    conditioned on no live record existing; a failed condition on a COMPLETED record means the
 *    event was handled before and it is skipped (one request, one charged write).
 * 2. The event is applied: here by the very same per-record code as ours (processRecord), so the
 *    comparison shows what the layer adds. A generic layer does not order events, so the
 *    version conditions stay (without them a late older event would overwrite a newer state).
 * 3. UpdateItem of the record to COMPLETED with the result; on a failure the record is deleted
 *    so the retry can run again.
 */

export const IDEMPOTENCY_KEY = 'id';
const EXPIRY_SECONDS = 3600;
const IN_PROGRESS_TIMEOUT_MS = 30_000;

/** The table Powertools expects: partition key `id`, TTL on `expiration`. */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: IDEMPOTENCY_KEY, KeyType: 'HASH' }],
    }),
  );
}

export class IdempotencyAlreadyInProgressError extends Error {
  override readonly name = 'IdempotencyAlreadyInProgressError';
}

export function createIdempotencyRecordProcessorHandler(
  deps: ProcessorDeps & { readonly idempotencyTableName: string; readonly functionName: string },
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordDeps = recordDepsOf(deps);
  const { documentClient: client, idempotencyTableName: TableName } = deps;

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const svixId = record.messageAttributes[QUEUED_EVENT_ATTRIBUTES.svixId]?.stringValue ?? record.messageId;
    const id = `${deps.functionName}#${createHash('md5').update(JSON.stringify(svixId)).digest('hex')}`;
    const nowMs = deps.now();
    try {
      await client.send(
        new PutCommand({
          TableName,
          Item: {
            id,
            expiration: Math.floor(nowMs / 1000) + EXPIRY_SECONDS,
            in_progress_expiration: nowMs + IN_PROGRESS_TIMEOUT_MS,
            status: 'INPROGRESS',
          },
          ConditionExpression:
            'attribute_not_exists(#id) OR #expiry < :now OR ' +
            '(#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
          ExpressionAttributeNames: {
            '#id': 'id',
            '#expiry': 'expiration',
            '#in_progress_expiry': 'in_progress_expiration',
            '#status': 'status',
          },
          ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000), ':now_in_millis': nowMs, ':inprogress': 'INPROGRESS' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
      const status = (error as { Item?: { status?: { S?: string } } }).Item?.status?.S;
      if (status === 'COMPLETED') {
        deps.onOutcome?.({ messageId: record.messageId, svixId, result: 'duplicate', reason: 'idempotency record' });
        return;
      }
      throw new IdempotencyAlreadyInProgressError(`event ${svixId} is already being processed`);
    }

    const { outcome, retryError } = await processRecord(record, recordDeps);
    deps.onOutcome?.(outcome);
    if (retryError !== undefined) {
      await client.send(new DeleteCommand({ TableName, Key: { id } }));
      throw retryError;
    }
    await client.send(
      new UpdateCommand({
        TableName,
        Key: { id },
        UpdateExpression: 'SET #response_data = :response_data, #expiry = :expiry, #status = :status',
        ExpressionAttributeNames: { '#response_data': 'data', '#expiry': 'expiration', '#status': 'status' },
        ExpressionAttributeValues: {
          ':response_data': JSON.stringify({ result: outcome.result }),
          ':expiry': Math.floor(deps.now() / 1000) + EXPIRY_SECONDS,
          ':status': 'COMPLETED',
        },
      }),
    );
  };

  return async (event) => {
    const processor = new BatchProcessor(EventType.SQS, { logger: deps.logger });
    const response = await processPartialResponse(event, handleRecord, processor, { throwOnFullBatchFailure: false });
    return { batchItemFailures: [...response.batchItemFailures] };
  };
}
