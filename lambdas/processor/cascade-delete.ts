import { DeleteCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { ItemKey, KeyQuery } from '../shared/table-schema';
import type { ApplyContext } from './apply-context';

// Bounds the concurrent deletes of one cascade so one big organization cannot flood the table.
const DELETES_IN_FLIGHT = 25;

/**
 * Deletes every item of a partition query (the table module's `queries.userSessions`,
 * `queries.organizationMembers`), tombstones included. Strongly consistent reads, so every
 * item written before the parent's tombstone is found; anything written after checks the
 * parent itself and removes itself.
 */
export async function deleteChildren(context: ApplyContext, children: KeyQuery): Promise<number> {
  let deleted = 0;
  const pages = paginateQuery(
    { client: context.documentClient },
    {
      TableName: context.tableName,
      ...children,
      // The key attributes, by the names the key condition already gives them.
      ProjectionExpression: '#pk, #sk',
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    const items = (page.Items ?? []) as ItemKey[];
    for (let start = 0; start < items.length; start += DELETES_IN_FLIGHT) {
      await Promise.all(items.slice(start, start + DELETES_IN_FLIGHT).map((key) => deleteItem(context, key)));
    }
    deleted += items.length;
  }
  return deleted;
}

/** Unconditional: a child of a deleted parent must go whatever state it is in. */
export async function deleteItem(context: ApplyContext, key: ItemKey): Promise<void> {
  await context.documentClient.send(new DeleteCommand({ TableName: context.tableName, Key: key }));
}
