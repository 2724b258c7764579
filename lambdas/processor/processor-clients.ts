import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { boundedDocumentClient, type ClientTarget } from '../shared/document-client';
import { clientOptions } from '../shared/sdk-client-options';
import { PROCESSOR_DEFAULTS } from './processor-config';

export interface ProcessorClients {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

/** The processor's clients, every call bounded by PROCESSOR_DEFAULTS.awsCalls. */
export function createProcessorClients(target: ClientTarget = {}): ProcessorClients {
  return {
    documentClient: boundedDocumentClient(PROCESSOR_DEFAULTS.awsCalls, target),
    sqs: new SQSClient({ ...clientOptions(PROCESSOR_DEFAULTS.awsCalls), ...target }),
  };
}
