import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PIPELINE_DEFAULTS, visibilityTimeoutFor } from '../lib/pipeline-defaults';
import { LEDGER_KEYS } from '../lambdas/shared/mail-ledger-schema';
import { GSI1_PROJECTED_ATTRIBUTES, TABLE_KEYS } from '../lambdas/shared/table-schema';

export interface CreateTableOptions {
  /**
   * What gsi1 projects: the stack's default (`public`: GSI1_PROJECTED_ATTRIBUTES), or `all`, what
   * deployments before it had (and the bench's comparison).
   */
  readonly gsi1Projection?: 'public' | 'all';
  /**
   * Turn on the table's stream with old and new images, as the stack does when mails are on
   * (the notifier reads it). An existing table is reused as it is.
   */
  readonly stream?: boolean;
}

/**
 * Creates the table locally with the key schema, index and TTL the stack deploys.
 * Idempotent: an existing table (a persistent `--data-dir`) is reused.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateTableOptions = {},
): Promise<void> {
  const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE_KEYS;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
          { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
          { AttributeName: gsi1.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi1.indexName,
            KeySchema: [
              { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection:
              options.gsi1Projection === 'all'
                ? { ProjectionType: 'ALL' }
                : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...GSI1_PROJECTED_ATTRIBUTES] },
          },
        ],
        ...(options.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
    }),
  );
}

/** The notifier's mail ledger with the key schema the stack deploys. Idempotent. */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_KEYS.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_KEYS.partitionKey, KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

/** The stream ARN of a table created with `stream: true`. */
export async function latestStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const arn = Table?.LatestStreamArn;
  if (arn === undefined || Table?.StreamSpecification?.StreamEnabled !== true) {
    throw new Error(`table ${tableName} has no stream: create it with { stream: true }`);
  }
  return arn;
}

export interface LocalQueues {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export interface CreateQueuesOptions {
  readonly maxReceiveCount?: number;
  readonly visibilityTimeoutSeconds?: number;
}

/** Creates the queue and its DLQ with the redrive policy and timeouts the stack deploys. */
export async function createQueues(
  client: SQSClient,
  queueName: string,
  options: CreateQueuesOptions = {},
): Promise<LocalQueues> {
  const maxReceiveCount = options.maxReceiveCount ?? PIPELINE_DEFAULTS.maxReceiveCount;
  const visibilityTimeoutSeconds =
    options.visibilityTimeoutSeconds ?? visibilityTimeoutFor(PIPELINE_DEFAULTS.processorTimeout).toSeconds();
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: `${queueName}-dlq`,
      Attributes: {
        MessageRetentionPeriod: String(PIPELINE_DEFAULTS.deadLetterRetention.toSeconds()),
        MaximumMessageSize: String(PIPELINE_DEFAULTS.maxMessageSizeBytes),
      },
    }),
  );
  const deadLetterQueueUrl = dlq.QueueUrl!;
  const dlqAttributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(PIPELINE_DEFAULTS.queueRetention.toSeconds()),
        MaximumMessageSize: String(PIPELINE_DEFAULTS.maxMessageSizeBytes),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttributes.Attributes!.QueueArn,
          maxReceiveCount,
        }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, deadLetterQueueUrl, visibilityTimeoutSeconds, maxReceiveCount };
}
