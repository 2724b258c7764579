import type { Message } from '@aws-sdk/client-sqs';
import type { createNotifierHandler } from '../../lambdas/notifier/create-notifier-handler';
import { describeError } from '../cli/format';
import type { ReplayMailsClients, ReplayMailsIo } from './clients';
import { type FailedBatch, parseFailureMessage } from './failure-message';
import { deleteMessage } from './failure-queue';
import { describeBatch } from './format';
import type { ReplayMailsOptions } from './options';
import { type RangeRead, readFailedRange } from './read-failed-range';

export type MessageResult = 'replayed' | 'failed' | 'expired' | 'discarded' | 'malformed';

/** Replays one failure message's range through the notifier; deletes the message only once all of it went through. */
export async function replayOne(
  clients: ReplayMailsClients,
  options: ReplayMailsOptions,
  queueUrl: string,
  message: Message,
  notifier: ReturnType<typeof createNotifierHandler>,
  io: ReplayMailsIo,
): Promise<MessageResult> {
  const id = message.MessageId!;
  let batch: FailedBatch;
  try {
    batch = parseFailureMessage(message.Body);
  } catch (error) {
    io.err(`replay-mails: message ${id} is not Lambda's on-failure record of a DynamoDB stream batch (${(error as Error).message}); it stays in the queue`);
    return 'malformed';
  }
  io.out(`message ${id}: ${describeBatch(batch, (io.now ?? Date.now)())}`);
  if (batch.tableName !== options.tableName) {
    io.err(`replay-mails: message ${id} is for the stream of table "${batch.tableName}", not --table "${options.tableName}"; it stays in the queue`);
    return 'failed';
  }

  let range: RangeRead;
  try {
    range = await readFailedRange(clients.streams, batch, io);
  } catch (error) {
    io.err(`replay-mails: message ${id}: reading the stream failed (${describeError(error)}); it stays in the queue`);
    return 'failed';
  }
  if (range.kind !== 'complete') {
    const which = `shard ${batch.shardId}, sequence numbers ${batch.startSequenceNumber} to ${batch.endSequenceNumber} (${batch.batchSize} record(s))`;
    if (range.kind === 'incomplete') {
      io.err(`replay-mails: message ${id}: ${range.reason}; ${which}; it stays in the queue, try again later`);
      return 'failed';
    }
    const written = batch.approximateArrivalOfFirstRecord === undefined ? '' : `, written from ${batch.approximateArrivalOfFirstRecord}`;
    io.err(
      `replay-mails: message ${id}: the mails of ${which}${written} can no longer be replayed from the stream: ` +
        `${range.reason}; DynamoDB Streams keeps records 24 hours. ` +
        (options.discardExpired ? 'The message is deleted (--discard-expired).' : 'The message stays in the queue; --discard-expired deletes it.'),
    );
    if (!options.discardExpired) return 'expired';
    return (await deleteMessage(clients.sqs, queueUrl, message, io)) ? 'discarded' : 'expired';
  }
  if (range.records.length !== batch.batchSize) {
    io.out(`  the range holds ${range.records.length} record(s), the failure message says ${batch.batchSize}; replaying what the stream has`);
  }

  let failedAt: string | undefined;
  try {
    const response = await notifier({ Records: [...range.records] });
    failedAt = response.batchItemFailures[0]?.itemIdentifier;
  } catch (error) {
    io.err(`replay-mails: message ${id}: the notifier failed (${describeError(error)}); it stays in the queue`);
    return 'failed';
  }
  if (failedAt !== undefined) {
    const position = range.records.findIndex((record) => record.dynamodb?.SequenceNumber === failedAt);
    const after = position < 0 ? 0 : range.records.length - position - 1;
    io.err(
      `replay-mails: message ${id}: stream record ${failedAt} (${position + 1} of ${range.records.length}) failed again` +
        `${after > 0 ? `; the ${after} record(s) after it were not replayed` : ''}; the message stays in the queue. ` +
        'Fix the cause (see the failure above) and run again: mails already sent are skipped.',
    );
    return 'failed';
  }
  if (!(await deleteMessage(clients.sqs, queueUrl, message, io))) return 'failed';
  io.out(`message ${id}: replayed ${range.records.length} record(s); deleted from the queue`);
  return 'replayed';
}
