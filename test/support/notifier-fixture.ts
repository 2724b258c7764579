import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { createLedgerTable, createQueues, createTable } from '../../local/create-resources';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from './local-clients';
import { sqsEventOf, sqsRecordOf } from './random-history';
import { streamRecord } from './stream-records';
import { createNotifierHandler } from '../../lambdas/notifier/create-notifier-handler';
import type { MailOutcome, NotifierDeps } from '../../lambdas/notifier/notifier-deps';

type Key = { readonly pk: string; readonly sk: string };

/** Epoch ms that tests move by hand; `sleep` advances it instead of waiting. */
export class FakeClock {
  readonly sleeps: number[] = [];
  constructor(public time: number) {}
  readonly now = (): number => this.time;
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.time += ms;
  };
}

let sequence = 0;
/** Stream sequence numbers only grow, as within a shard. */
export function nextSequenceNumber(): string {
  sequence += 1;
  return `${String(Date.now()).padStart(15, '0')}${String(sequence).padStart(8, '0')}`;
}

/**
 * A sync table written by the real processor and a mail ledger, both on DynamoDB Local, and
 * the stream records the table's changes produce, built from the items before and after.
 */
export class NotifierFixture {
  readonly outcomes: MailOutcome[] = [];

  private constructor(
    readonly documentClient: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly ledgerTableName: string,
    private readonly queues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string },
  ) {}

  static async create(prefix: string): Promise<NotifierFixture> {
    const dynamodb = localDynamoDb();
    const tableName = uniqueName(`${prefix}-sync`);
    const ledgerTableName = uniqueName(`${prefix}-ledger`);
    const [queues] = await Promise.all([
      createQueues(localSqs(), uniqueName(prefix)),
      createTable(dynamodb, tableName, { stream: true }),
      createLedgerTable(dynamodb, ledgerTableName),
    ]);
    return new NotifierFixture(localDocumentClient(dynamodb), tableName, ledgerTableName, queues);
  }

  /**
   * Applies `event` through the processor and returns the stream records of the watched
   * items that changed, in the order given (one record per item, as the stream shows it).
   */
  async apply(event: ClerkEventEnvelope, watch: readonly Key[]): Promise<DynamoDBRecord[]> {
    const before = await Promise.all(watch.map((key) => this.item(key)));
    const processor = createProcessorHandler({
      documentClient: this.documentClient,
      sqs: localSqs(),
      tableName: this.tableName,
      deadLetterQueueUrl: this.queues.deadLetterQueueUrl,
      queueUrl: this.queues.queueUrl,
      now: Date.now,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const response = await processor(sqsEventOf([sqsRecordOf({ svixId: `msg_${randomUUID()}`, event })]));
    if (response.batchItemFailures.length > 0) throw new Error(`the processor failed ${event.type}`);
    const records: DynamoDBRecord[] = [];
    for (const [index, key] of watch.entries()) {
      const oldImage = before[index];
      const newImage = await this.item(key);
      if (comparable(newImage) === comparable(oldImage)) continue;
      records.push(changeRecord(key, oldImage, newImage));
    }
    return records;
  }

  async item(key: Key): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  async ledgerItem(pk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.ledgerTableName, Key: { pk }, ConsistentRead: true }));
    return Item;
  }

  async putLedgerItem(item: Record<string, unknown>): Promise<void> {
    await this.documentClient.send(new PutCommand({ TableName: this.ledgerTableName, Item: item }));
  }

  /** The real notifier on these tables; outcomes collect in `outcomes`. */
  notifier(overrides: Partial<NotifierDeps> & Pick<NotifierDeps, 'sender' | 'now'>) {
    return createNotifierHandler({
      documentClient: this.documentClient,
      tableName: this.tableName,
      ledgerTableName: this.ledgerTableName,
      logger: new Logger({ logLevel: 'SILENT' }),
      appName: 'Acme',
      onOutcome: (outcome) => this.outcomes.push(outcome),
      ...overrides,
    });
  }
}

function changeRecord(key: Key, oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown> | undefined): DynamoDBRecord {
  const sequenceNumber = nextSequenceNumber();
  if (newImage === undefined) return streamRecord({ eventName: 'REMOVE', keys: { ...key }, ...(oldImage ? { oldImage } : {}), sequenceNumber });
  return oldImage === undefined
    ? streamRecord({ eventName: 'INSERT', newImage, sequenceNumber })
    : streamRecord({ eventName: 'MODIFY', newImage, oldImage, sequenceNumber });
}

// JSON.stringify alone renders every Set as {}.
function comparable(item: Record<string, unknown> | undefined): string {
  return JSON.stringify(item ?? null, (_key, value: unknown) => (value instanceof Set ? [...value].sort() : value));
}
