import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { ClerkSyncError } from '../lambdas/shared/errors';
import { abortableSleep } from './abortable-sleep';

/**
 * Drives a Lambda-style SQS handler the way Lambda's SQS event source mapping does, so the
 * local pipeline runs the processor under the same contract as in AWS:
 * - long polls, and hands over batches of up to `batchSize` records in Lambda's record shape;
 * - with partial batch responses, deletes only the records the handler did not report in
 *   `batchItemFailures`; failures stay in flight and come back after the visibility timeout;
 * - if the handler throws (or reports an identifier that is not in the batch), nothing is deleted;
 * - moving a message to the DLQ after `maxReceiveCount` receives is the queue's redrive policy,
 *   exactly as in AWS (the emulator implements it), not this poller's job.
 */

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Lambda puts it on every record as `eventSourceARN`. */
  readonly queueArn: string;
  readonly awsRegion: string;
  readonly handler: SqsBatchHandler;
  /** Records per invocation (Lambda's BatchSize); more than 10 takes several receives. */
  readonly batchSize: number;
  /** Concurrent pollers, each invoking the handler for its own batch (Lambda's maximum concurrency). */
  readonly concurrency: number;
  /** Long-poll wait, 0 to 20 s. */
  readonly waitTimeSeconds?: number;
  /** After the first message of a batch arrives, how long to keep gathering more (Lambda's MaximumBatchingWindowInSeconds). */
  readonly maxBatchingWindowMs?: number;
  /** Called with the records of every invocation and what became of them; for console reporting and tests. */
  readonly onBatchSettled?: (settled: SettledBatch) => void;
  /** Receive or delete calls that failed; the poller backs off and carries on. */
  readonly onError?: (error: unknown) => void;
}

export interface SettledBatch {
  readonly records: readonly SQSRecord[];
  /** Message ids deleted from the queue. */
  readonly deleted: readonly string[];
  /** Message ids left for redelivery (reported failures, or the whole batch when the handler threw). */
  readonly retained: readonly string[];
  /** Set when the handler threw or returned an unusable response. */
  readonly handlerError?: unknown;
}

export interface RunningSqsEventSource {
  /** Stops polling (aborting long polls) and waits for batches being handled to finish and be deleted. */
  stop(): Promise<void>;
}

const SQS_MAX_RECEIVE = 10;
const ERROR_BACKOFF_MS = 1_000;
const BATCH_POLL_INTERVAL_MS = 50;

/** The handler named a record that is not in its batch: Lambda then retries the whole batch, and so do we. */
export class InvalidBatchResponseError extends ClerkSyncError {
  readonly code = 'INVALID_BATCH_RESPONSE';
}

export function startSqsEventSource(options: SqsEventSourceOptions): RunningSqsEventSource {
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const batchingWindowMs = options.maxBatchingWindowMs ?? 0;
  const abort = new AbortController();
  let stopping = false;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const { Messages } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(max, SQS_MAX_RECEIVE),
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return Messages ?? [];
  };

  const gatherBatch = async (): Promise<Message[]> => {
    const batch = await receive(options.batchSize, waitTimeSeconds);
    if (batch.length === 0) return batch;
    // Short polls while the window is open: a long poll's whole-second granularity could outlast a short visibility timeout.
    const windowEnds = Date.now() + batchingWindowMs;
    while (batch.length < options.batchSize && !stopping) {
      let more: Message[];
      try {
        more = await receive(options.batchSize - batch.length, 0);
      } catch (error) {
        // Messages already received must still be handled, or they would sit invisible for a whole visibility timeout.
        if (!stopping) options.onError?.(error);
        break;
      }
      batch.push(...more);
      if (more.length === 0) {
        const remainingMs = windowEnds - Date.now();
        if (remainingMs <= 0) break;
        await abortableSleep(Math.min(BATCH_POLL_INTERVAL_MS, remainingMs), abort.signal);
      }
    }
    return latestReceiveOfEach(batch);
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const records = messages.map((message) => toSqsRecord(message, options));
    let retained: string[];
    let handlerError: unknown;
    try {
      const response = await options.handler({ Records: records });
      retained = failedMessageIds(response, records);
    } catch (error) {
      handlerError = error;
      retained = records.map((record) => record.messageId);
    }
    const toDelete = records.filter((record) => !retained.includes(record.messageId));
    const deleted = await deleteRecords(toDelete);
    options.onBatchSettled?.({ records, deleted, retained, ...(handlerError === undefined ? {} : { handlerError }) });
  };

  const deleteRecords = async (records: readonly SQSRecord[]): Promise<string[]> => {
    const deleted: string[] = [];
    for (let start = 0; start < records.length; start += SQS_MAX_RECEIVE) {
      const chunk = records.slice(start, start + SQS_MAX_RECEIVE);
      try {
        // Deliberately not tied to the abort signal: a batch that was handled must be deleted even during shutdown.
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }),
        );
        for (const entry of result.Successful ?? []) deleted.push(chunk[Number(entry.Id)]!.messageId);
        if (result.Failed?.length) {
          options.onError?.(new Error(`DeleteMessageBatch failed for ${result.Failed.length} message(s): ${result.Failed[0]!.Message ?? result.Failed[0]!.Code}`));
        }
      } catch (error) {
        // The messages reappear after the visibility timeout and are handled again: harmless for an idempotent handler.
        options.onError?.(error);
      }
    }
    return deleted;
  };

  const poll = async (): Promise<void> => {
    while (!stopping) {
      let messages: Message[];
      try {
        messages = await gatherBatch();
      } catch (error) {
        if (stopping) return;
        options.onError?.(error);
        await abortableSleep(ERROR_BACKOFF_MS, abort.signal);
        continue;
      }
      if (messages.length > 0) await invoke(messages);
    }
  };

  const pollers = Array.from({ length: Math.max(1, options.concurrency) }, () => poll());

  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        abort.abort();
      }
      await Promise.all(pollers);
    },
  };
}

/**
 * A message whose visibility timeout ran out while the batch was being gathered can be received
 * twice; only its latest receipt handle can delete it, and a batch never holds a message twice.
 */
function latestReceiveOfEach(messages: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const message of messages) {
    byId.delete(message.MessageId!);
    byId.set(message.MessageId!, message);
  }
  return [...byId.values()];
}

/**
 * Lambda's rules for partial batch responses: no response or an empty list means success; an
 * identifier that is empty or not in the batch makes Lambda treat the whole batch as failed.
 */
function failedMessageIds(response: SQSBatchResponse | void, records: readonly SQSRecord[]): string[] {
  if (!response || !Array.isArray(response.batchItemFailures)) return [];
  const ids = new Set(records.map((record) => record.messageId));
  const failed: string[] = [];
  for (const failure of response.batchItemFailures) {
    if (!failure || typeof failure.itemIdentifier !== 'string' || !ids.has(failure.itemIdentifier)) {
      throw new InvalidBatchResponseError(
        `batchItemFailures names "${String(failure?.itemIdentifier)}", which is not a message of this batch; the whole batch is retried`,
      );
    }
    failed.push(failure.itemIdentifier);
  }
  return failed;
}

/** The record shape Lambda's SQS event source delivers. */
export function toSqsRecord(
  message: Message,
  source: Pick<SqsEventSourceOptions, 'queueArn' | 'awsRegion'>,
): SQSRecord {
  const system = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(system.AWSTraceHeader ? { AWSTraceHeader: system.AWSTraceHeader } : {}),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
    },
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.awsRegion,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** SQS API attribute values (PascalCase, binary as bytes) to Lambda's camelCase shape with base64 binaries. */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: toBase64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}

function toBase64(value: Uint8Array | string): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('base64');
}
