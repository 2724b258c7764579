import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createQueues, createTable } from '../../local/create-resources';
import { localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

describe('local engines', () => {
  it('creates the table and the queues the stack defines', async () => {
    const dynamodb = localDynamoDb();
    const tableName = uniqueName('table');
    await createTable(dynamodb, tableName);
    await createTable(dynamodb, tableName); // idempotent for persistent data dirs
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toContain(tableName);

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
