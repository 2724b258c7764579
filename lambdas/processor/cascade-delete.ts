import { DeleteCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { ApplyContext } from './apply-context';

// Bounds the concurrent deletes of one cascade so one big organization cannot flood the table.
const DELETES_IN_FLIGHT = 25;

/**
 * Deletes every item in partition `pk` whose sort key starts with `sortKeyPrefix`, tombstones
 * included. Strongly consistent reads, so every item written before the parent's tombstone is
 * found; anything written after checks the parent itself and removes itself.
 */
export async function deleteChildren(context: ApplyContext, pk: string, sortKeyPrefix: string): Promise<number> {
  let deleted = 0;
  const pages = paginateQuery(
    { client: context.documentClient },
    {
      TableName: context.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': sortKeyPrefix },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    const items = (page.Items ?? []) as { pk: string; sk: string }[];
    for (let start = 0; start < items.length; start += DELETES_IN_FLIGHT) {
      await Promise.all(items.slice(start, start + DELETES_IN_FLIGHT).map((key) => deleteItem(context, key)));
    }
    deleted += items.length;
  }
  return deleted;
}

/** Unconditional: a child of a deleted parent must go whatever state it is in. */
export async function deleteItem(context: ApplyContext, key: { pk: string; sk: string }): Promise<void> {
  await context.documentClient.send(new DeleteCommand({ TableName: context.tableName, Key: key }));
}
