import { EnqueueFailedError, PayloadTooLargeError } from '../shared/errors';
import { encodeBody, QUEUED_EVENT_ATTRIBUTES, type QueuedEventV2, SQS_MAX_MESSAGE_BYTES } from '../shared/queued-event';
import { toSqsSafeJson } from './sqs-safe-json';

/** One SQS message: its body and its String attributes. */
export interface QueueMessage {
  readonly queueUrl: string;
  readonly body: string;
  /** Name → value, each sent with DataType `String`. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the verifier needs of SQS: SendMessage, resolved only once SQS has accepted the message. */
export interface MessageSender {
  sendMessage(message: QueueMessage): Promise<{ readonly messageId: string }>;
}

/** An authenticated delivery, as it goes to the queue. */
export interface VerifiedDelivery {
  readonly svixId: string;
  /** Epoch seconds, as signed. */
  readonly svixTimestamp: number;
  /** ISO-8601 UTC. */
  readonly receivedAt: string;
  /** The exact bytes that were verified. */
  readonly raw: Buffer;
  /** `raw` read as UTF-8, as the body was parsed. */
  readonly text: string;
  readonly eventType: string;
}

/** The SQS message body (QueuedEvent v2) of a delivery: only characters SQS accepts. */
export function queuedMessageBody(delivery: VerifiedDelivery): string {
  const queued: QueuedEventV2 = {
    version: 2,
    svixId: delivery.svixId,
    svixTimestamp: delivery.svixTimestamp,
    receivedAt: delivery.receivedAt,
    ...encodeBody(delivery.raw, delivery.text),
  };
  return toSqsSafeJson(queued);
}

/**
 * Hands a verified event to the queue and resolves only once SQS has accepted it: the caller
 * must not acknowledge the delivery before that, or an event could be lost. A message SQS could
 * never accept (over its size limit once escaped) is refused with 413 instead of being retried.
 */
export async function enqueueEvent(sender: MessageSender, queueUrl: string, delivery: VerifiedDelivery): Promise<void> {
  const body = queuedMessageBody(delivery);
  const attributes: Record<string, string> = {
    [QUEUED_EVENT_ATTRIBUTES.svixId]: delivery.svixId,
    [QUEUED_EVENT_ATTRIBUTES.eventType]: delivery.eventType,
  };
  const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
  if (size > SQS_MAX_MESSAGE_BYTES) {
    throw new PayloadTooLargeError(
      `the event makes a queue message of ${size} bytes; SQS accepts at most ${SQS_MAX_MESSAGE_BYTES} (lower maxBodyBytes)`,
    );
  }
  try {
    await sender.sendMessage({ queueUrl, body, attributes });
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new EnqueueFailedError(`SQS did not accept the event (${detail})`, { cause: error });
  }
}

/** SQS counts each attribute's name, data type (`String`) and value towards the message size. */
function attributesSize(attributes: Record<string, string>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) size += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  return size;
}
