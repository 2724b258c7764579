import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientTimeouts, clientOptions } from './sdk-client-options';

/** Where a client goes; Lambda leaves it to the SDK (region and credentials from the environment). */
export type ClientTarget = Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'>;

/**
 * The document client every function writes the table with: each call bounded by `timeouts`, and
 * undefined attributes left out of items (an absent optional field is no attribute at all).
 */
export function boundedDocumentClient(timeouts: ClientTimeouts, target: ClientTarget = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientOptions(timeouts), ...target }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
