import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createLedgerTable, createQueues, createTable, latestStreamArn } from '../../local/create-resources';
import { localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

describe('local engines', () => {
  it('creates the table and the queues the stack defines', async () => {
    const dynamodb = localDynamoDb();
    const tableName = uniqueName('table');
    await createTable(dynamodb, tableName);
    await createTable(dynamodb, tableName); // idempotent for persistent data dirs
    // DescribeTable, not ListTables: the shared engine holds more tables than one ListTables page.
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.StreamSpecification?.StreamEnabled).not.toBe(true);
    await expect(latestStreamArn(dynamodb, tableName)).rejects.toThrow(/has no stream/);

    const withStream = uniqueName('streamed');
    await createTable(dynamodb, withStream, { stream: true });
    const streamed = await dynamodb.send(new DescribeTableCommand({ TableName: withStream }));
    expect(streamed.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(await latestStreamArn(dynamodb, withStream)).toBe(streamed.Table?.LatestStreamArn);

    const ledger = uniqueName('ledger');
    await createLedgerTable(dynamodb, ledger);
    await createLedgerTable(dynamodb, ledger);
    const ledgerTable = await dynamodb.send(new DescribeTableCommand({ TableName: ledger }));
    expect(ledgerTable.Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);

    const sqs = localSqs();
    const queues = await createQueues(sqs, uniqueName('queue'));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['All'] }),
    );
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual(
      expect.objectContaining({ maxReceiveCount: queues.maxReceiveCount }),
    );
    expect(Number(Attributes!.VisibilityTimeout)).toBe(180);
  });
});
