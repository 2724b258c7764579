import { StartMessageMoveTaskCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../cli/format';
import { resolveQueueUrl } from '../cli/sqs-queue';
import type { RedriveIo } from './clients';
import { copyDeadLetters } from './copy-dead-letters';
import { formatDeadLetters, formatIds } from './format';
import { listDeadLetters } from './list-dead-letters';
import { approximateMessageCount, followMoveTask, isMoveTaskUnavailable, queueArn } from './move-task';
import type { RedriveOptions } from './options';

/** Runs the command; resolves to the exit code. */
export async function redrive(sqs: SQSClient, options: RedriveOptions, io: RedriveIo): Promise<number> {
  const deadLetterQueueUrl = await resolveQueueUrl(sqs, options.deadLetterQueue, 'dead-letter queue');
  const queueUrl = await resolveQueueUrl(sqs, options.queue, 'event queue');
  const readOptions = { ...(options.max === undefined ? {} : { max: options.max }), ...(io.waitTimeSeconds === undefined ? {} : { waitTimeSeconds: io.waitTimeSeconds }) };

  if (options.dryRun) {
    const letters = await listDeadLetters(sqs, deadLetterQueueUrl, readOptions);
    for (const line of formatDeadLetters(letters, (io.now ?? Date.now)())) io.out(line);
    io.out(`${letters.length} message(s) in ${deadLetterQueueUrl}; dry run, nothing moved (they are visible again).`);
    return 0;
  }

  const waiting = await approximateMessageCount(sqs, deadLetterQueueUrl);
  if (waiting === 0) {
    io.out(`${deadLetterQueueUrl} is empty; nothing to move.`);
    return 0;
  }

  if (!options.copy && options.max === undefined) {
    const sourceArn = await queueArn(sqs, deadLetterQueueUrl);
    const destinationArn = await queueArn(sqs, queueUrl);
    try {
      const { TaskHandle } = await sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: sourceArn,
          DestinationArn: destinationArn,
          ...(options.maxRate === undefined ? {} : { MaxNumberOfMessagesPerSecond: options.maxRate }),
        }),
      );
      io.out(`started SQS message move task ${TaskHandle ?? '(no handle)'}: about ${waiting} message(s) from ${sourceArn} to ${destinationArn}`);
      if (!options.wait) {
        io.out(`follow it with: aws sqs list-message-move-tasks --source-arn ${sourceArn}`);
        return 0;
      }
      const task = await followMoveTask(sqs, sourceArn, {
        ...(io.pollIntervalMs === undefined ? {} : { pollIntervalMs: io.pollIntervalMs }),
        onProgress: (progress) =>
          io.out(`${progress.Status}: ${progress.ApproximateNumberOfMessagesMoved ?? 0} of ${progress.ApproximateNumberOfMessagesToMove ?? '?'} moved`),
      });
      if (task.Status !== 'COMPLETED') {
        io.err(`redrive: the move task ended ${task.Status}${task.FailureReason ? `: ${task.FailureReason}` : ''}`);
        return 1;
      }
      return 0;
    } catch (error) {
      if (!isMoveTaskUnavailable(error)) throw error;
      io.out(`this endpoint has no SQS message move tasks (${describeError(error)}); moving message by message`);
    }
  }

  const result = await copyDeadLetters(
    sqs,
    { queueUrl, deadLetterQueueUrl },
    { ...readOptions, onMoved: (letter) => io.out(`moved ${formatIds(letter)}`) },
  );
  for (const { message, error } of result.notDeleted) {
    io.err(`redrive: ${formatIds(message)} was moved but is still in the DLQ (${error}); a later redrive moves it again, and the processor skips the duplicate`);
  }
  io.out(`moved ${result.moved.length + result.notDeleted.length} message(s) from ${deadLetterQueueUrl} to ${queueUrl}`);
  for (const message of result.returned) {
    io.err(`redrive: ${formatIds(message)} failed again and is back in the DLQ${message.errorReason ? ` (${message.errorReason})` : ''}; left there`);
  }
  if (result.failed !== undefined) {
    io.err(`redrive: sending ${formatIds(result.failed.message)} to the queue failed (${result.failed.error}); it and the rest stay in the DLQ`);
    return 1;
  }
  return 0;
}
