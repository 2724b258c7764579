import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Key = { readonly pk: string; readonly sk: string };

/** One item as it is now (strongly consistent), or undefined. */
export async function readItem(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  key: Key,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
}

/** The items of partition `pk` whose sort key starts with `prefix` (strongly consistent). */
export async function readPartition(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const { Items } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}
