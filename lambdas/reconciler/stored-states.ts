import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ItemKey, TABLE_KEYS } from '../shared/table-schema';
import type { StoredState } from './snapshot-plan';
import type { Clock } from './token-bucket';

/** BatchGetItem's limit. */
const KEYS_PER_REQUEST = 100;
/** Unprocessed keys (throttling) are asked again after a pause, this many times at most. */
const MAX_ROUNDS = 8;

export const keyString = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

/**
 * The bookkeeping of the items at `keys`, by `keyString`; absent keys have no item. Eventually
 * consistent (half the read units): a state read a moment late only makes the sweep call an
 * applier whose condition then refuses, never skip a write that is needed, because an item's
 * state only ever moves forward.
 */
export async function readStoredStates(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  clock: Clock,
): Promise<Map<string, StoredState>> {
  const states = new Map<string, StoredState>();
  const unique = [...new Map(keys.map((key) => [keyString(key), key])).values()];
  for (let start = 0; start < unique.length; start += KEYS_PER_REQUEST) {
    let pending: Record<string, unknown>[] = unique
      .slice(start, start + KEYS_PER_REQUEST)
      .map((key) => ({ [TABLE_KEYS.partitionKey]: key.pk, [TABLE_KEYS.sortKey]: key.sk }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed after ${MAX_ROUNDS} rounds`);
      if (round > 0) await clock.sleep(Math.min(2_000, 50 * 2 ** round));
      const output = await documentClient.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ProjectionExpression: '#pk, #sk, #version, #lastEventId, #deleted, #generation',
              ExpressionAttributeNames: {
                '#pk': TABLE_KEYS.partitionKey,
                '#sk': TABLE_KEYS.sortKey,
                '#version': 'version',
                '#lastEventId': 'lastEventId',
                '#deleted': 'deleted',
                '#generation': 'generation',
              },
            },
          },
        }),
      );
      for (const item of output.Responses?.[tableName] ?? []) {
        states.set(keyString({ pk: String(item[TABLE_KEYS.partitionKey]), sk: String(item[TABLE_KEYS.sortKey]) }), {
          ...(typeof item.version === 'number' ? { version: item.version } : {}),
          ...(typeof item.lastEventId === 'string' ? { lastEventId: item.lastEventId } : {}),
          ...(item.deleted === true ? { deleted: true } : {}),
          ...(typeof item.generation === 'string' ? { generation: item.generation } : {}),
        });
      }
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return states;
}
