import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../shared/sdk-client-options';
import { NOTIFIER_DEFAULTS } from './notifier-config';

/** The notifier's DynamoDB client (sync table reads, ledger writes), every call bounded by NOTIFIER_DEFAULTS.awsCalls. */
export function createNotifierDocumentClient(
  target: Pick<DynamoDBClientConfig, 'region' | 'endpoint' | 'credentials'> = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientOptions(NOTIFIER_DEFAULTS.awsCalls), ...target }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
