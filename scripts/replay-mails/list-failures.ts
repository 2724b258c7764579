import type { Message } from '@aws-sdk/client-sqs';
import { describeError } from '../cli/format';
import type { ReplayMailsClients, ReplayMailsIo } from './clients';
import { type FailedBatch, parseFailureMessage } from './failure-message';
import { receive, release } from './failure-queue';
import { describeBatch } from './format';
import type { ReplayMailsOptions } from './options';
import { readFailedRange } from './read-failed-range';

/** How long listed messages stay hidden (they are released at once; this only bounds a crash). */
const LIST_VISIBILITY_SECONDS = 30;

/** --dry-run: every failure message with how much of its range the stream still has; nothing sent or deleted. */
export async function listFailures(clients: ReplayMailsClients, options: ReplayMailsOptions, queueUrl: string, io: ReplayMailsIo): Promise<number> {
  const seen = new Map<string, Message>();
  try {
    for (;;) {
      const messages = (await receive(clients.sqs, queueUrl, 10, LIST_VISIBILITY_SECONDS, io)).filter((message) => !seen.has(message.MessageId!));
      if (messages.length === 0) break;
      for (const message of messages) seen.set(message.MessageId!, message);
    }
  } finally {
    await release(clients.sqs, queueUrl, [...seen.values()]);
  }
  const now = (io.now ?? Date.now)();
  for (const message of seen.values()) {
    let batch: FailedBatch;
    try {
      batch = parseFailureMessage(message.Body);
    } catch (error) {
      io.out(`message ${message.MessageId!}: not a stream failure record (${(error as Error).message})`);
      continue;
    }
    let readable: string;
    if (batch.tableName !== options.tableName) {
      readable = `for table "${batch.tableName}", not --table "${options.tableName}"`;
    } else {
      try {
        const range = await readFailedRange(clients.streams, batch, io);
        readable =
          range.kind === 'complete'
            ? `${range.records.length} of ${batch.batchSize} record(s) still readable`
            : `${range.readable} of ${batch.batchSize} record(s) readable, ${range.kind === 'expired' ? 'expired' : 'incomplete'}: ${range.reason}`;
      } catch (error) {
        readable = `the stream could not be read (${describeError(error)})`;
      }
    }
    io.out(`message ${message.MessageId!}: ${describeBatch(batch, now)}: ${readable}`);
  }
  io.out(`${seen.size} failure message(s) in ${queueUrl}; dry run, nothing replayed or deleted (they are visible again).`);
  return 0;
}
