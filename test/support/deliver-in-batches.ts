import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../local/sqs-event-source';
import { type HistoryEvent, sqsEventOf, sqsRecordOf } from './random-history';

/**
 * The queue the handler was given as `queueUrl`: cascades that ran out of their budget continue
 * in new messages there, which are delivered among the remaining batches as Lambda would.
 */
export interface ContinuationQueue {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

/**
 * Cuts the deliveries into batches of the given sizes (cycled) and runs up to `inFlight`
 * batches at once through the processor's handler, each of which must succeed entirely. With
 * `continuations`, messages the handler sends to its queue go into the next batches, until the
 * queue stays empty.
 */
export async function deliverInBatches(
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  deliveries: readonly HistoryEvent[],
  batchSizes: readonly number[],
  inFlight = 1,
  continuations?: ContinuationQueue,
): Promise<void> {
  const waiting: SQSRecord[] = deliveries.map(sqsRecordOf);
  let batch = 0;
  let running = 0;
  const invoker = async () => {
    for (;;) {
      if (waiting.length === 0 && continuations !== undefined) waiting.push(...(await takeContinuations(continuations)));
      if (waiting.length === 0) {
        // Another invoker's batch may still send continuations; look again once it is done.
        if (running === 0 || continuations === undefined) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const size = batchSizes[batch % batchSizes.length]!;
      batch += 1;
      running += 1;
      try {
        expect((await handler(sqsEventOf(waiting.splice(0, size)))).batchItemFailures).toEqual([]);
      } finally {
        running -= 1;
      }
      if (continuations !== undefined) waiting.push(...(await takeContinuations(continuations)));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, invoker));
}

/** Whatever the queue holds now, removed from it, as Lambda-shaped records. */
async function takeContinuations({ sqs, queueUrl }: ContinuationQueue): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return records;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
      }),
    );
    records.push(...Messages.map((message) => toSqsRecord(message, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:continuations', awsRegion: 'us-east-1' })));
  }
}
