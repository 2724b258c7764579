import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CascadeDeleteError } from '../shared/errors';
import { CascadeBudget, DELETES_IN_FLIGHT, deleteItems } from './cascade-delete';

describe('CascadeBudget', () => {
  const limits = (remaining: number) => ({ maxDeletes: 60, remainingTimeMs: () => remaining, timeReserveMs: 15_000 });

  it('without limits, allows every round', () => {
    const budget = new CascadeBudget(undefined);
    budget.spend(1_000_000);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
  });

  it('hands out rounds until the deletes are spent, the last one cut to what is left', () => {
    const budget = new CascadeBudget(limits(30_000));
    const rounds: number[] = [];
    for (let size = budget.nextRound(DELETES_IN_FLIGHT); size > 0; size = budget.nextRound(DELETES_IN_FLIGHT)) {
      rounds.push(size);
      budget.spend(size);
    }
    expect(rounds).toEqual([25, 25, 10]);
    expect(budget.deletes).toBe(60);
  });

  it('always allows the first round, then none once less than the reserve is left', () => {
    const budget = new CascadeBudget(limits(14_999));
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
    // A round that deleted nothing (an empty query page) does not count as the first.
    budget.spend(0);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
    budget.spend(DELETES_IN_FLIGHT);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(0);
  });
});

describe('deleteItems', () => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const dynamo = mockClient(documentClient);
  const context = { documentClient, tableName: 'sync', svixId: 'msg_1', nowMillis: 0, tombstoneTtlDays: 30, readParentsFirst: false };
  const keys = [{ pk: 'ORG#o', sk: 'MEMBER#a' }, { pk: 'ORG#o', sk: 'MEMBER#b' }];
  const requests = (of: typeof keys) => ({ sync: of.map((Key) => ({ DeleteRequest: { Key } })) });
  afterEach(() => dynamo.reset());

  it('deletes in one BatchWriteItem and sends again what DynamoDB left unprocessed (throttling)', async () => {
    dynamo.on(BatchWriteCommand).resolvesOnce({ UnprocessedItems: requests(keys.slice(1)) }).resolves({});
    await deleteItems(context, keys);
    expect(dynamo.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems)).toEqual([requests(keys), requests(keys.slice(1))]);
  });

  it('gives up with CascadeDeleteError (the record is retried) when deletes stay unprocessed', async () => {
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: requests(keys) });
    await expect(deleteItems(context, keys)).rejects.toThrow(CascadeDeleteError);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });
});
