import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createNotifierHandler } from '../../lambdas/notifier/create-notifier-handler';
import type { MailOutcome } from '../../lambdas/notifier/notifier-deps';
import { describeError } from '../cli/format';
import { resolveQueueUrl } from '../cli/sqs-queue';
import { notifierLogger, type ReplayMailsClients, type ReplayMailsIo } from './clients';
import { receive, release } from './failure-queue';
import { formatOutcome, formatSummary, type ReplaySummary } from './format';
import { listFailures } from './list-failures';
import type { ReplayMailsOptions } from './options';
import { replayOne } from './replay-one';

/** How long a message stays hidden while its range is replayed; a killed run leaves it hidden no longer. */
const REPLAY_VISIBILITY_SECONDS = 300;

/** Runs the command; resolves to the exit code. */
export async function replayMails(clients: ReplayMailsClients, options: ReplayMailsOptions, io: ReplayMailsIo): Promise<number> {
  const queueUrl = await resolveQueueUrl(clients.sqs, options.failureQueue, 'failure queue');
  if (options.dryRun) return listFailures(clients, options, queueUrl, io);

  for (const [flag, tableName] of [
    ['--table', options.tableName],
    ['--ledger-table', options.ledgerTableName],
  ] as const) {
    try {
      await clients.dynamoDb.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      throw new Error(`cannot use the table "${tableName}" (${flag}): ${describeError(error)}`, { cause: error });
    }
  }

  const summary: ReplaySummary = { messages: 0, replayed: 0, failed: 0, expired: 0, discarded: 0, malformed: 0, sent: 0, skipped: 0, mailsFailed: 0 };
  let outcomes: MailOutcome[] = [];
  const notifier = createNotifierHandler({
    documentClient: DynamoDBDocumentClient.from(clients.dynamoDb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: options.tableName,
    ledgerTableName: options.ledgerTableName,
    sender: clients.sender,
    now: io.now ?? Date.now,
    logger: clients.logger ?? notifierLogger(options),
    ...(options.appName === undefined ? {} : { appName: options.appName }),
    ...(options.adminRoles === undefined ? {} : { adminRoles: options.adminRoles }),
    ...(options.welcomeMaxAgeDays === undefined ? {} : { welcomeMaxAgeDays: options.welcomeMaxAgeDays }),
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      io.out(`  ${formatOutcome(outcome)}`);
    },
  });

  const kept: Message[] = [];
  const seen = new Set<string>();
  for (;;) {
    // One at a time: each message stays hidden for its own replay, however long the earlier ones took.
    const messages = (await receive(clients.sqs, queueUrl, 1, REPLAY_VISIBILITY_SECONDS, io)).filter((message) => !seen.has(message.MessageId!));
    // Nothing new: the queue is empty, or holds only the messages this run keeps.
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId!);
      summary.messages += 1;
      outcomes = [];
      const result = await replayOne(clients, options, queueUrl, message, notifier, io);
      for (const outcome of outcomes) {
        if (outcome.result === 'sent') summary.sent += 1;
        else if (outcome.result === 'skipped') summary.skipped += 1;
        else summary.mailsFailed += 1;
      }
      summary[result] += 1;
      if (result !== 'replayed' && result !== 'discarded') kept.push(message);
    }
  }
  // Visible again at once: the alarm keeps counting them, and the next run finds them.
  await release(clients.sqs, queueUrl, kept).catch((error: unknown) => io.err(`replay-mails: could not make the kept messages visible again (${describeError(error)}); they reappear within ${REPLAY_VISIBILITY_SECONDS} s`));

  if (summary.messages === 0) {
    io.out(`${queueUrl} is empty; nothing to replay.`);
    return 0;
  }
  io.out(formatSummary(summary));
  return summary.replayed === summary.messages ? 0 : 1;
}
