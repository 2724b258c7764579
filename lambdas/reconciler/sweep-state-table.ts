import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '../shared/conditional-write';
import { SweepLeaseLostError } from '../shared/errors';
import { parseCheckpoint, type SweepCheckpoint } from './sweep-checkpoint';

/**
 * The scheduled sweep's state, one item in the reconciliation state table: the checkpoint and a
 * lease, so that two sweeps never run at once. The lease names its owner (the Step Functions
 * execution) and expires; each checkpoint renews it, and only the owner may write. A sweep that
 * died leaves its checkpoint behind, and the next one resumes it once the lease has expired.
 * Only UpdateItem: it creates the item, reads it back (ALL_NEW) and guards it in one call.
 */

/** The state table's partition key (lib/constructs/reconciliation creates the table with it). */
export const STATE_TABLE_KEY = 'pk';
const SWEEP_ITEM = { [STATE_TABLE_KEY]: 'sweep' } as const;

export type LeaseOutcome = { readonly acquired: true; readonly checkpoint?: SweepCheckpoint } | { readonly acquired: false; readonly owner: string };

export interface SweepStateTable {
  /** Takes the lease for `owner` (or renews it), with the checkpoint saved so far. */
  acquire(owner: string, nowMillis: number, leaseMs: number): Promise<LeaseOutcome>;
  /** Saves the checkpoint and renews the lease; throws SweepLeaseLostError when `owner` no longer holds it. */
  save(owner: string, checkpoint: SweepCheckpoint, nowMillis: number, leaseMs: number): Promise<void>;
  /** The sweep is done: the checkpoint becomes `lastSweep` and the lease is released. */
  finish(owner: string, checkpoint: SweepCheckpoint): Promise<void>;
}

export function sweepStateTable(documentClient: DynamoDBDocumentClient, tableName: string): SweepStateTable {
  return {
    async acquire(owner, nowMillis, leaseMs) {
      const outcome = await conditionalWrite(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: SWEEP_ITEM,
            UpdateExpression: 'SET #owner = :owner, #leaseExpiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(#owner) OR #owner = :owner OR #leaseExpiresAt < :now',
            ExpressionAttributeNames: { '#owner': 'owner', '#leaseExpiresAt': 'leaseExpiresAt' },
            ExpressionAttributeValues: { ':owner': owner, ':expiresAt': nowMillis + leaseMs, ':now': nowMillis },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      if (!outcome.written) return { acquired: false, owner: String(outcome.old?.owner) };
      const saved = outcome.attributes?.checkpoint;
      return saved === undefined ? { acquired: true } : { acquired: true, checkpoint: parseCheckpoint(saved) };
    },
    async save(owner, checkpoint, nowMillis, leaseMs) {
      const outcome = await conditionalWrite(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: SWEEP_ITEM,
            UpdateExpression: 'SET #checkpoint = :checkpoint, #leaseExpiresAt = :expiresAt',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner', '#leaseExpiresAt': 'leaseExpiresAt', '#checkpoint': 'checkpoint' },
            ExpressionAttributeValues: { ':owner': owner, ':expiresAt': nowMillis + leaseMs, ':checkpoint': checkpoint },
          }),
        ),
      );
      if (!outcome.written) throw new SweepLeaseLostError(`sweep ${checkpoint.sweepId}: ${owner} no longer holds the reconciliation lease`);
    },
    async finish(owner, checkpoint) {
      const outcome = await conditionalWrite(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: SWEEP_ITEM,
            UpdateExpression: 'SET #lastSweep = :checkpoint REMOVE #owner, #leaseExpiresAt, #checkpoint',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner', '#leaseExpiresAt': 'leaseExpiresAt', '#checkpoint': 'checkpoint', '#lastSweep': 'lastSweep' },
            ExpressionAttributeValues: { ':owner': owner, ':checkpoint': checkpoint },
          }),
        ),
      );
      if (!outcome.written) throw new SweepLeaseLostError(`sweep ${checkpoint.sweepId}: ${owner} no longer holds the reconciliation lease`);
    },
  };
}
