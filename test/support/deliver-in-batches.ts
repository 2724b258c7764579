import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type HistoryEvent, sqsEventOf, sqsRecordOf } from './random-history';

/**
 * Cuts the deliveries into batches of the given sizes (cycled) and runs up to `inFlight`
 * batches at once through the processor's handler, each of which must succeed entirely.
 */
export async function deliverInBatches(
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  deliveries: readonly HistoryEvent[],
  batchSizes: readonly number[],
  inFlight = 1,
): Promise<void> {
  const batches: HistoryEvent[][] = [];
  for (let start = 0, batch = 0; start < deliveries.length; batch += 1) {
    const size = batchSizes[batch % batchSizes.length]!;
    batches.push(deliveries.slice(start, start + size));
    start += size;
  }
  let next = 0;
  const invoker = async () => {
    for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
      expect((await handler(sqsEventOf(batch.map(sqsRecordOf)))).batchItemFailures).toEqual([]);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, invoker));
}
