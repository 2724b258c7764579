import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../lambdas/processor/dead-letter';
import { PROCESSOR_ENV } from '../lambdas/processor/processor-config';
import { VERIFIER_ENV } from '../lambdas/verifier/verifier-config';
import { QUEUED_EVENT_ATTRIBUTES } from '../lambdas/shared/queued-event';
import { blankToUndefined, parseFlags, positiveInteger, switchFlag, url, valueFlag } from './cli/args';
import { awsClientConfig, regionFromEnv, regionOfQueueUrl } from './cli/aws-client-config';
import { describeError, formatAge } from './cli/format';
import { LOCAL_REGION, localEventQueueName, localSqsEndpoint, localTableName } from './cli/local-pipeline';
import { type CliCommand, type LineIo, runMain } from './cli/run-main';
import { type QueueRef, resolveQueueUrl } from './cli/sqs-queue';

export { formatAge };

/**
 * `npm run redrive`: moves the messages of the dead-letter queue back to the event queue, where
 * the processor applies them again. Safe to repeat: the processor is idempotent per svix id.
 *
 * On AWS it starts an SQS message move task (StartMessageMoveTask, what the console's "Start DLQ
 * redrive" does) and follows it. Where the endpoint has no move tasks (the local emulator), or
 * with --copy / --max, it moves message by message: send to the queue first, delete from the DLQ
 * only once the send succeeded. Bodies and message attributes are moved unchanged, the processor's
 * `errorReason` included, exactly as a move task does: which path ran never shows in the result,
 * and the reason of the last dead-lettering stays visible until the processor replaces it.
 */

export const REDRIVE_USAGE = `Usage: npm run redrive -- [--dry-run] [--local | --queue-url URL --dlq-url URL] [options]

Moves the messages of the dead-letter queue back to the event queue, where the processor
applies them again (idempotently: an event already in the table is skipped as a duplicate).

  --dry-run          list the messages (message id, svixId, eventType, errorReason, receives,
                     age) and move nothing; they are visible again right after
  --queue-url URL    the event queue (default $QUEUE_URL; stack output QueueUrl)
  --dlq-url URL      the dead-letter queue (default $DEAD_LETTER_QUEUE_URL; stack output
                     DeadLetterQueueUrl)
  --local            the local pipeline of \`npm start\`: SQS at http://127.0.0.1:$SQS_PORT
                     (default 9324), queues <TABLE_NAME>-events and <TABLE_NAME>-events-dlq
                     (TABLE_NAME default clerk-sync)
  --endpoint URL     SQS endpoint (default: AWS, region from AWS_REGION or the queue URL)
  --region REGION    AWS region (default: AWS_REGION, else read from the queue URL)
  --max N            move (or list) at most N messages; moves message by message
  --max-rate N       messages per second for the SQS move task (1-500; AWS decides if unset)
  --copy             move message by message even where SQS move tasks exist
  --no-wait          start the SQS move task and return without following it
  -h, --help         show this help

Exits 0 when everything asked for was moved (or listed), 1 when something failed, 2 on a
usage error.
`;

export class RedriveUsageError extends Error {}


export interface RedriveOptions {
  readonly dryRun: boolean;
  readonly queue: QueueRef;
  readonly deadLetterQueue: QueueRef;
  readonly endpoint?: string;
  readonly region?: string;
  /** The local pipeline's emulator: no AWS credentials needed. */
  readonly local: boolean;
  readonly max?: number;
  readonly maxRate?: number;
  readonly copy: boolean;
  readonly wait: boolean;
}

const REDRIVE_FLAGS = {
  dryRun: switchFlag('--dry-run'),
  local: switchFlag('--local'),
  copy: switchFlag('--copy'),
  noWait: switchFlag('--no-wait'),
  queueUrl: valueFlag('--queue-url', url),
  dlqUrl: valueFlag('--dlq-url', url),
  endpoint: valueFlag('--endpoint', url),
  region: valueFlag('--region'),
  max: valueFlag('--max', positiveInteger(Number.MAX_SAFE_INTEGER)),
  maxRate: valueFlag('--max-rate', positiveInteger(500)),
};

export function readRedriveOptions(argv: readonly string[], env: NodeJS.ProcessEnv): RedriveOptions | 'help' {
  const flags = parseFlags(argv, REDRIVE_FLAGS, { usageError: RedriveUsageError });
  if (flags === 'help') return 'help';
  const { dryRun, local, copy, endpoint, max, maxRate } = flags;
  // The variables the verifier and the processor read their queues from.
  const queueUrl = flags.queueUrl ?? blankToUndefined(env[VERIFIER_ENV.queueUrl]);
  const dlqUrl = flags.dlqUrl ?? blankToUndefined(env[PROCESSOR_ENV.deadLetterQueueUrl]);
  const region = flags.region ?? regionFromEnv(env);

  const common = { dryRun, max, maxRate, copy, wait: !flags.noWait };
  if (local) {
    if (flags.queueUrl !== undefined || flags.dlqUrl !== undefined) {
      throw new RedriveUsageError('--local finds the local queues by name; leave out --queue-url and --dlq-url');
    }
    const queueName = localEventQueueName(localTableName(env));
    return {
      ...common,
      local: true,
      endpoint: endpoint ?? localSqsEndpoint(env),
      region: region ?? LOCAL_REGION,
      queue: { name: queueName },
      deadLetterQueue: { name: `${queueName}-dlq` },
    };
  }
  if (queueUrl === undefined || dlqUrl === undefined) {
    const missing = [queueUrl === undefined ? '--queue-url (or QUEUE_URL)' : undefined, dlqUrl === undefined ? '--dlq-url (or DEAD_LETTER_QUEUE_URL)' : undefined]
      .filter(Boolean)
      .join(' and ');
    throw new RedriveUsageError(`which queues? missing ${missing}: the stack outputs QueueUrl and DeadLetterQueueUrl; --local for npm start`);
  }
  if (queueUrl === dlqUrl) throw new RedriveUsageError('--queue-url and --dlq-url name the same queue');
  return {
    ...common,
    local: false,
    ...(endpoint === undefined ? {} : { endpoint }),
    region: region ?? regionOfQueueUrl(dlqUrl),
    queue: { url: queueUrl },
    deadLetterQueue: { url: dlqUrl },
  };
}

export function sqsClientFor(options: RedriveOptions): SQSClient {
  return new SQSClient(awsClientConfig(options));
}

// --- Reading the DLQ ----------------------------------------------------------------------

/** A dead-lettered message as an operator triages it: ids and why, never the body (it holds personal data). */
export interface DeadLetter {
  readonly messageId: string;
  readonly svixId?: string;
  readonly eventType?: string;
  /** Set by the processor when it dead-lettered the message itself; absent when SQS moved it after maxReceiveCount. */
  readonly errorReason?: string;
  /** ApproximateReceiveCount, this read included. */
  readonly receiveCount?: number;
  /** SentTimestamp, epoch ms. */
  readonly sentAt?: number;
}

export function describeDeadLetter(message: Message): DeadLetter {
  const attribute = (name: string) => blankToUndefined(message.MessageAttributes?.[name]?.StringValue);
  const fromBody = attribute(QUEUED_EVENT_ATTRIBUTES.svixId) === undefined ? idsFromBody(message.Body) : {};
  const svixId = attribute(QUEUED_EVENT_ATTRIBUTES.svixId) ?? fromBody.svixId;
  const eventType = attribute(QUEUED_EVENT_ATTRIBUTES.eventType) ?? fromBody.eventType;
  const errorReason = attribute(DEAD_LETTER_ATTRIBUTES.errorReason);
  const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
  const sentAt = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId!,
    ...(svixId === undefined ? {} : { svixId }),
    ...(eventType === undefined ? {} : { eventType }),
    ...(errorReason === undefined ? {} : { errorReason }),
    ...(Number.isFinite(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
    ...(Number.isFinite(sentAt) && sentAt > 0 ? { sentAt } : {}),
  };
}

/** The verifier labels every message; a message that lost its attributes may still be a QueuedEvent. */
function idsFromBody(body: string | undefined): { svixId?: string; eventType?: string } {
  try {
    const value = JSON.parse(body ?? '') as { svixId?: unknown; event?: { type?: unknown } };
    return {
      ...(typeof value.svixId === 'string' ? { svixId: value.svixId } : {}),
      ...(typeof value.event?.type === 'string' ? { eventType: value.event.type } : {}),
    };
  } catch {
    return {};
  }
}

export interface ReadOptions {
  readonly max?: number;
  /** Long polling asks every SQS server, so an empty answer means an empty queue. Default 1. */
  readonly waitTimeSeconds?: number;
}

/** How long listed messages stay hidden (they are released at once; this only bounds a crash). */
const LIST_VISIBILITY_SECONDS = 30;
/** How long a message being moved stays hidden: the send and the delete take far less. */
const MOVE_VISIBILITY_SECONDS = 60;

async function receive(sqs: SQSClient, queueUrl: string, count: number, visibility: number, options: ReadOptions): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, count),
      VisibilityTimeout: visibility,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/**
 * Lists the DLQ without moving anything. Messages are received (which hides them briefly) until
 * none is left or `max` are listed, then all are made visible again at once.
 */
export async function listDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, options: ReadOptions = {}): Promise<DeadLetter[]> {
  const seen = new Map<string, Message>();
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    while (seen.size < max) {
      const messages = await receive(sqs, deadLetterQueueUrl, max - seen.size, LIST_VISIBILITY_SECONDS, options);
      if (messages.length === 0) break;
      for (const message of messages) seen.set(message.MessageId!, message);
    }
  } finally {
    await releaseAll(sqs, deadLetterQueueUrl, [...seen.values()]);
  }
  return [...seen.values()].map(describeDeadLetter);
}

async function releaseAll(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
}

// --- Moving message by message ------------------------------------------------------------

export interface CopyResult {
  readonly moved: DeadLetter[];
  /** Sent to the queue but still in the DLQ (the delete failed): harmless, the processor skips the duplicate. */
  readonly notDeleted: Array<{ readonly message: DeadLetter; readonly error: string }>;
  /** Messages this run moved that were dead-lettered again meanwhile: left in the DLQ. */
  readonly returned: DeadLetter[];
  /** The first send that failed; that message, and any not yet moved, stay in the DLQ. */
  readonly failed?: { readonly message: DeadLetter; readonly error: string };
}

/**
 * Moves messages from the DLQ to the queue: each is sent first and deleted from the DLQ only once
 * the send succeeded, so a failure can duplicate a message but never lose one. Stops at the first
 * failed send and makes the messages of that round visible again.
 *
 * Like a move task, it moves only what was dead-lettered before it: a message it moved that fails
 * again (the processor dead-letters a permanent failure within milliseconds, naming the message in
 * `sourceMessageId`; SQS moves it keeping its id) is left in the DLQ and reported, not moved round
 * and round for as long as the processor keeps rejecting it.
 */
export async function copyDeadLetters(
  sqs: SQSClient,
  queues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string },
  options: ReadOptions & { readonly onMoved?: (message: DeadLetter) => void } = {},
): Promise<CopyResult> {
  const moved: DeadLetter[] = [];
  const notDeleted: Array<{ message: DeadLetter; error: string }> = [];
  /** Ids of the messages this run sent to the queue. */
  const sentIds = new Set<string>();
  /** Stay hidden until the end, so that the loop does not receive them again; then visible at once. */
  const returned: Message[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  try {
    while (moved.length + notDeleted.length < max) {
      const received = await receive(sqs, queues.deadLetterQueueUrl, max - moved.length - notDeleted.length, MOVE_VISIBILITY_SECONDS, options);
      if (received.length === 0) break;
      const messages = received.filter((message) => !cameBack(message, sentIds));
      returned.push(...received.filter((message) => cameBack(message, sentIds)));
      const results = await Promise.all(messages.map((message) => moveOne(sqs, queues, message)));
      let failed: CopyResult['failed'];
      const unsent: Message[] = [];
      results.forEach((result, index) => {
        const message = messages[index]!;
        const described = describeDeadLetter(message);
        if (result.sentId !== undefined) sentIds.add(result.sentId);
        if (result.sendError !== undefined) {
          unsent.push(message);
          failed ??= { message: described, error: result.sendError };
        } else if (result.deleteError !== undefined) {
          notDeleted.push({ message: described, error: result.deleteError });
        } else {
          moved.push(described);
          options.onMoved?.(described);
        }
      });
      if (failed !== undefined) {
        await releaseAll(sqs, queues.deadLetterQueueUrl, unsent).catch(() => undefined);
        return { moved, notDeleted, returned: returned.map(describeDeadLetter), failed };
      }
    }
  } finally {
    await releaseAll(sqs, queues.deadLetterQueueUrl, returned).catch(() => undefined);
  }
  return { moved, notDeleted, returned: returned.map(describeDeadLetter) };
}

/** Dead-lettered again after this run moved it: by the processor (sourceMessageId) or by SQS (same id). */
function cameBack(message: Message, sentIds: ReadonlySet<string>): boolean {
  const source = message.MessageAttributes?.[DEAD_LETTER_ATTRIBUTES.sourceMessageId]?.StringValue;
  return sentIds.has(message.MessageId!) || (source !== undefined && sentIds.has(source));
}

async function moveOne(
  sqs: SQSClient,
  queues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string },
  message: Message,
): Promise<{ sentId?: string; sendError?: string; deleteError?: string }> {
  let sentId: string | undefined;
  try {
    ({ MessageId: sentId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: message.Body!,
        MessageAttributes: copyAttributes(message.MessageAttributes),
      }),
    ));
  } catch (error) {
    return { sendError: describeError(error) };
  }
  const sent = sentId === undefined ? {} : { sentId };
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
  } catch (error) {
    return { ...sent, deleteError: describeError(error) };
  }
  return sent;
}

/** Received attributes as SendMessage takes them (without the list fields SQS reserves). */
function copyAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.DataType!,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
      },
    ]),
  );
}

// --- SQS message move task ----------------------------------------------------------------

/** Errors of an endpoint that has no message move tasks (the local emulator answers InvalidAction). */
const MOVE_TASK_UNAVAILABLE = new Set(['InvalidAction', 'UnknownOperationException', 'UnsupportedOperation', 'NotImplemented']);

export function isMoveTaskUnavailable(error: unknown): boolean {
  return error instanceof Error && MOVE_TASK_UNAVAILABLE.has(error.name);
}

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`${queueUrl} has no QueueArn`);
  return arn;
}

export async function approximateMessageCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

const FINISHED_STATUSES = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Follows the most recent move task of the DLQ (ListMessageMoveTasks) until it ends; returns its last state. */
export async function followMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  options: { readonly pollIntervalMs?: number; readonly onProgress?: (task: ListMessageMoveTasksResultEntry) => void } = {},
): Promise<ListMessageMoveTasksResultEntry> {
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = Results[0];
    if (task === undefined) throw new Error(`no message move task found for ${sourceArn}`);
    options.onProgress?.(task);
    if (FINISHED_STATUSES.has(task.Status ?? '')) return task;
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 2_000));
  }
}

// --- The command --------------------------------------------------------------------------

export interface RedriveIo extends LineIo {
  readonly now?: () => number;
  readonly pollIntervalMs?: number;
  readonly waitTimeSeconds?: number;
}

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

export function formatDeadLetters(letters: readonly DeadLetter[], now: number): string[] {
  const rows = letters.map((letter) => [
    letter.messageId,
    letter.svixId ?? '-',
    letter.eventType ?? '-',
    letter.receiveCount === undefined ? '-' : String(letter.receiveCount),
    letter.sentAt === undefined ? '-' : formatAge(now - letter.sentAt),
    letter.errorReason ?? '(retries used up)',
  ]);
  const header = ['messageId', 'svixId', 'eventType', 'receives', 'age', 'errorReason'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: readonly string[]) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return rows.length === 0 ? [] : [format(header), ...rows.map(format)];
}

function formatIds(letter: DeadLetter): string {
  return [letter.messageId, letter.svixId, letter.eventType].filter(Boolean).join(' ');
}

export const REDRIVE_COMMAND: CliCommand<RedriveOptions, SQSClient> = {
  name: 'redrive',
  usage: REDRIVE_USAGE,
  readOptions: readRedriveOptions,
  clientsFor: sqsClientFor,
  closeClients: (sqs) => sqs.destroy(),
  run: redrive,
};

if (require.main === module) runMain(REDRIVE_COMMAND);
