import type { Message } from '@aws-sdk/client-sqs';
import { DEAD_LETTER_ATTRIBUTES } from '../../lambdas/processor/dead-letter';
import { QUEUED_EVENT_ATTRIBUTES } from '../../lambdas/shared/queued-event';
import { blankToUndefined } from '../cli/args';

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
