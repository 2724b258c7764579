import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { boundedDocumentClient, type ClientTarget } from '../shared/document-client';
import { NOTIFIER_DEFAULTS } from './notifier-config';

/** The notifier's DynamoDB client (sync table reads, ledger writes), every call bounded by NOTIFIER_DEFAULTS.awsCalls. */
export function createNotifierDocumentClient(target: ClientTarget = {}): DynamoDBDocumentClient {
  return boundedDocumentClient(NOTIFIER_DEFAULTS.awsCalls, target);
}
