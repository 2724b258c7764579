import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { existsSync } from 'node:fs';
import { PROCESSOR_DEFAULTS } from '../../lambdas/processor/processor-config';
import { TABLE_KEYS } from '../../lambdas/shared/table-schema';
import { ClerkApiRefusedError, ClerkApiUnavailableError } from '../../lambdas/shared/errors';
import { overlapFor, runSweep, SWEEP_DEFAULTS } from '../../lambdas/reconciler/run-sweep';
import { newSweep, type SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';
import { describeError } from '../cli/format';
import type { LineIo } from '../cli/run-main';
import { checkpointFile } from './checkpoint-file';
import type { BackfillClients } from './clients';
import type { BackfillOptions } from './options';
import { progressLine } from './progress';
import { summaryLines } from './summary';

/** Runs the command; resolves to the exit code. */
export async function backfill(clients: BackfillClients, options: BackfillOptions, io: LineIo): Promise<number> {
  await checkTable(clients.dynamoDb, options);
  const file = options.checkpointPath;
  if (options.restart && !options.dryRun) await checkpointFile.remove(file);
  const saved = options.restart || options.dryRun ? undefined : await checkpointFile.load(file);
  const resumed = saved !== undefined && saved.phase !== 'done' ? saved : undefined;
  const start = resumed ?? newSweep(`backfill-${new Date(clients.clock.now()).toISOString()}`, clients.clock.now());
  if (resumed !== undefined) {
    io.out(`backfill: resuming sweep ${resumed.sweepId} (started ${new Date(resumed.startedAt).toISOString()}) in phase ${resumed.phase}, from ${file}`);
  }

  const progress = progressLine(clients.terminal, clients.clock, start.counts, options.dryRun);
  const startedAt = clients.clock.now();
  let final: SweepCheckpoint;
  try {
    final = await runSweep(
      {
        clerk: clients.clerk,
        table: {
          documentClient: DynamoDBDocumentClient.from(clients.dynamoDb, { marshallOptions: { removeUndefinedValues: true } }),
          tableName: options.tableName,
          tombstoneTtlDays: PROCESSOR_DEFAULTS.tombstoneTtlDays,
        },
        clock: clients.clock,
        saveCheckpoint: options.dryRun ? async () => undefined : (checkpoint) => checkpointFile.save(file, checkpoint),
        shouldStop: () => clients.stop.aborted,
        onPage: (page) => progress.page(page),
        onFailure: ({ phase, entityId, reason }) => {
          progress.end();
          io.err(`backfill: ${phase}: ${entityId} not applied: ${reason}`);
        },
      },
      {
        prune: options.prune,
        dryRun: options.dryRun,
        pageSize: options.pageSize,
        overlap: overlapFor(options.pageSize),
        ...(options.maxPruneShare === undefined ? {} : { maxPruneShare: options.maxPruneShare }),
        concurrency: SWEEP_DEFAULTS.concurrency,
      },
      start,
    );
  } catch (error) {
    progress.end();
    const resume = !options.dryRun && existsSync(file) ? `; progress up to the last page is saved in ${file}: run the same command again to resume` : '';
    throw new Error(`${explain(error, options)}${resume}`, { cause: error });
  }
  progress.end();
  for (const line of summaryLines(final, options, clients.clerk.requests(), (clients.clock.now() - startedAt) / 1000)) io.out(line);
  if (final.phase !== 'done') {
    io.err(`backfill: interrupted; progress is saved in ${file}: run the same command again to resume`);
    return 130;
  }
  if (!options.dryRun) await checkpointFile.remove(file);
  return final.counts.failed > 0 ? 1 : 0;
}

function explain(error: unknown, options: BackfillOptions): string {
  if (error instanceof ClerkApiRefusedError && (error.status === 401 || error.status === 403)) {
    return `Clerk at ${options.apiUrl} refused CLERK_SECRET_KEY (HTTP ${error.status}): is it the secret key of this instance? (${error.message})`;
  }
  if (error instanceof ClerkApiUnavailableError) return `Clerk at ${options.apiUrl} is unavailable: ${error.message}`;
  return describeError(error);
}

/** The table must exist and have the sync table's keys, or every write would fail (or land in the wrong table). */
async function checkTable(dynamoDb: DynamoDBClient, options: BackfillOptions): Promise<void> {
  let table;
  try {
    ({ Table: table } = await dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName })));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      const where = options.local ? ` in DynamoDB Local (${options.endpoint}); is \`npm start\` running with the same TABLE_NAME?` : `${options.region === undefined ? '' : ` in ${options.region}`}; give the stack output TableName`;
      throw new Error(`table "${options.tableName}" not found${where}`, { cause: error });
    }
    throw new Error(`cannot use the table "${options.tableName}": ${describeError(error)}`, { cause: error });
  }
  const keyOf = (type: string) => table?.KeySchema?.find((key) => key.KeyType === type)?.AttributeName;
  const hasIndex = table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === TABLE_KEYS.gsi1.indexName) === true;
  if (keyOf('HASH') !== TABLE_KEYS.partitionKey || keyOf('RANGE') !== TABLE_KEYS.sortKey || !hasIndex) {
    throw new Error(
      `table "${options.tableName}" is not a clerk-webhook-sync table: its keys are ${keyOf('HASH') ?? '?'}/${keyOf('RANGE') ?? '(none)'}` +
        `${hasIndex ? '' : ' without the gsi1 index'}, expected ${TABLE_KEYS.partitionKey}/${TABLE_KEYS.sortKey} and gsi1`,
    );
  }
}
