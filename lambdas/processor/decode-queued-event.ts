import type { QueuedEvent } from '../shared/queued-event';
import { MalformedMessageError } from '../shared/errors';
import { isRecord, optionalString } from './read-fields';

/**
 * Parses an SQS body into a QueuedEvent v1, or throws MalformedMessageError. Error messages
 * never quote the body: it may hold personal data.
 */
export function decodeQueuedEvent(body: string): QueuedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedMessageError('body is not valid JSON');
  }
  if (!isRecord(value)) throw new MalformedMessageError('body is not a JSON object');
  if (value.version !== 1) throw new MalformedMessageError('body is not a QueuedEvent of version 1');
  if (optionalString(value.svixId) === undefined) throw new MalformedMessageError('svixId is missing');
  if (typeof value.svixTimestamp !== 'number') throw new MalformedMessageError('svixTimestamp is missing');
  if (typeof value.receivedAt !== 'string') throw new MalformedMessageError('receivedAt is missing');
  const event = value.event;
  if (!isRecord(event)) throw new MalformedMessageError('event is missing or not an object');
  if (optionalString(event.type) === undefined) throw new MalformedMessageError('event.type is missing');
  return value as unknown as QueuedEvent;
}

/** Best-effort ids for a message that failed to decode, to label it in the DLQ. */
export function identifiersOf(body: string): { svixId?: string; eventType?: string } {
  try {
    const value: unknown = JSON.parse(body);
    if (!isRecord(value)) return {};
    return {
      svixId: optionalString(value.svixId),
      eventType: isRecord(value.event) ? optionalString(value.event.type) : undefined,
    };
  } catch {
    return {};
  }
}
