import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientOptions } from '../shared/sdk-client-options';
import { PROCESSOR_DEFAULTS } from './processor-config';

/** Where the clients go; Lambda leaves it to the SDK (region and credentials from the environment). */
export type ClientTarget = Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'>;

export interface ProcessorClients {
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

/** The processor's clients, every call bounded by PROCESSOR_DEFAULTS.awsCalls. */
export function createProcessorClients(target: ClientTarget = {}): ProcessorClients {
  const options = { ...clientOptions(PROCESSOR_DEFAULTS.awsCalls), ...target };
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(options), { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient(options),
  };
}
