import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemKey, KeyQuery } from '../../lambdas/shared/table-schema';

/** One item as it is now (strongly consistent), or undefined. */
export async function readItem(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  key: ItemKey,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
}

/** What one of the table module's `queries` finds now: strongly consistent on the base table, as it comes on gsi1. */
export async function readQuery(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  query: KeyQuery,
): Promise<Record<string, unknown>[]> {
  const { Items } = await documentClient.send(
    new QueryCommand({ TableName: tableName, ...query, ...(query.IndexName === undefined ? { ConsistentRead: true } : {}) }),
  );
  return Items ?? [];
}
