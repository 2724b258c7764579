import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { createTable } from '../../local/create-resources';
import { type HistoryEvent, readComparableTable, sqsEventOf, sqsRecordOf } from '../support/random-history';

/**
 * By hand, after test/clerk-api/start.ts and a backfill: delivers the whole history in order to a
 * fresh table on the same DynamoDB Local (what the webhooks alone would have made, had the stack
 * always existed and no webhook been lost) and compares it with the table, sessions aside:
 * live entities must be equal; each tombstone in the table must be one the webhooks make
 * (its deletion time aside: a prune's is when it found the entity gone).
 *
 *   node --import tsx test/clerk-api/compare-table.ts --history .local/clerk-history.json --table clerk-sync --dynamodb-port 8101
 */

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback?: string) => {
    const index = argv.indexOf(name);
    const value = index >= 0 ? argv[index + 1] : fallback;
    if (value === undefined) throw new Error(`${name} is required`);
    return value;
  };
  const { history } = JSON.parse(readFileSync(flag('--history'), 'utf8')) as { history: HistoryEvent[] };
  const tableName = flag('--table', 'clerk-sync');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${flag('--dynamodb-port', '8000')}`, region: 'us-east-1', credentials });
  const documentClient = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // Only a malformed event would go to a dead-letter queue; the history has none.
  const sqs = new SQSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials });
  const reference = `${tableName}-reference-${Date.now()}`;
  await createTable(dynamodb, reference);
  const processor = createProcessorHandler({
    documentClient,
    sqs,
    tableName: reference,
    deadLetterQueueUrl: 'http://127.0.0.1:9/none',
    // Every cascade whole in one receive, so nothing continues in a message.
    queueUrl: 'http://127.0.0.1:9/none',
    cascadeDeletesPerReceive: Number.MAX_SAFE_INTEGER,
    now: Date.now,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  for (let start = 0; start < history.length; start += 10) {
    const { batchItemFailures } = await processor(sqsEventOf(history.slice(start, start + 10).map(sqsRecordOf)));
    if (batchItemFailures.length > 0) throw new Error(`the reference table refused events ${start} to ${start + 9}`);
  }

  const entities = (items: Record<string, unknown>[]) => items.filter((item) => item.type !== 'session');
  const strip = ({ lastSeenAt: _lastSeenAt, deletedAt: _deletedAt, ...item }: Record<string, unknown>) => JSON.stringify(item);
  const table = entities(await readComparableTable(documentClient, tableName));
  const expected = entities(await readComparableTable(documentClient, reference));
  const live = (items: Record<string, unknown>[]) => items.filter((item) => item.deleted !== true).map(strip);
  const dead = (items: Record<string, unknown>[]) => items.filter((item) => item.deleted === true).map(strip);
  const missing = live(expected).filter((item) => !live(table).includes(item));
  const extra = live(table).filter((item) => !live(expected).includes(item));
  const foreignTombstones = dead(table).filter((item) => !dead(expected).includes(item));
  const byType = (items: Record<string, unknown>[]) =>
    Object.entries(items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [String(item.type)]: (counts[String(item.type)] ?? 0) + 1 }), {}))
      .map(([type, count]) => `${count} ${type}`)
      .join(', ');
  process.stdout.write(
    `reference (every webhook in order, table ${reference}): live ${byType(expected.filter((item) => item.deleted !== true))}; tombstones ${byType(expected.filter((item) => item.deleted === true))}\n` +
      `${tableName}: live ${byType(table.filter((item) => item.deleted !== true))}; tombstones ${byType(table.filter((item) => item.deleted === true))}\n` +
      `live entities missing from ${tableName}: ${missing.length}; live in ${tableName} but not in the reference: ${extra.length}; ` +
      `tombstones the webhooks would not make: ${foreignTombstones.length}\n`,
  );
  for (const item of [...missing, ...extra, ...foreignTombstones].slice(0, 10)) process.stdout.write(`  ${item}\n`);
  dynamodb.destroy();
  process.exit(missing.length + extra.length + foreignTombstones.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`compare-table: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
