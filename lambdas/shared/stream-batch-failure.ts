import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { MalformedStreamRecordError } from './errors';

/**
 * The partial batch response that makes a stream event source retry from `record`, the first
 * record not handled (the records after it in the shard come again with it). A record without a
 * sequence number cannot be named: the whole invocation fails instead, so nothing is skipped.
 */
export function retryFrom(record: DynamoDBRecord): DynamoDBBatchResponse {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (sequenceNumber === undefined) {
    throw new MalformedStreamRecordError(`record ${record.eventID ?? '(no eventID)'} failed and has no SequenceNumber to report`);
  }
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
}
