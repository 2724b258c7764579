import type { SQSRecord } from 'aws-lambda';
import type { ClerkEventEnvelope } from '../shared/clerk-events';
import { MalformedMessageError, MalformedWebhookBodyError } from '../shared/errors';
import { EVENT_BODY_LIMITS, nestsDeeperThan, parseEventBody } from '../shared/event-body';
import { decodeBody, QUEUED_EVENT_ATTRIBUTES } from '../shared/queued-event';
import { isRecord, optionalString } from './read-fields';

/** A queued event of any version, with its Clerk event parsed. */
export interface DecodedQueuedEvent {
  readonly svixId: string;
  readonly svixTimestamp: number;
  readonly receivedAt: string;
  readonly event: ClerkEventEnvelope;
}

/**
 * Parses an SQS body into the event it carries, or throws MalformedMessageError (dead-lettered
 * at once). Reads v2 (the verified bytes, parsed here with the verifier's bounds) and v1 (the
 * event as an object, sent by verifiers before v2; such messages can wait 14 days in the DLQ).
 * Error messages never quote the body: it may hold personal data.
 */
export function decodeQueuedEvent(body: string): DecodedQueuedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedMessageError('body is not valid JSON');
  }
  if (!isRecord(value)) throw new MalformedMessageError('body is not a JSON object');
  if (value.version !== 1 && value.version !== 2) throw new MalformedMessageError('body is not a QueuedEvent of version 1 or 2');
  const svixId = optionalString(value.svixId);
  if (svixId === undefined) throw new MalformedMessageError('svixId is missing');
  if (typeof value.svixTimestamp !== 'number') throw new MalformedMessageError('svixTimestamp is missing');
  if (typeof value.receivedAt !== 'string') throw new MalformedMessageError('receivedAt is missing');
  const event = value.version === 2 ? eventOfV2(value) : eventOfV1(value, body);
  return { svixId, svixTimestamp: value.svixTimestamp, receivedAt: value.receivedAt, event };
}

function eventOfV2(value: Record<string, unknown>): ClerkEventEnvelope {
  const { body, bodyEncoding } = value;
  if (typeof body !== 'string') throw new MalformedMessageError('body is missing');
  if (bodyEncoding !== 'utf8' && bodyEncoding !== 'base64') throw new MalformedMessageError('bodyEncoding is not utf8 or base64');
  const text = bodyEncoding === 'utf8' ? body : decodeBody({ body, bodyEncoding }).toString('utf8');
  try {
    return parseEventBody(text, EVENT_BODY_LIMITS);
  } catch (error) {
    if (error instanceof MalformedWebhookBodyError) {
      throw new MalformedMessageError(`queued webhook ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The event sits one level below the message, so the bound is one level more. */
function eventOfV1(value: Record<string, unknown>, body: string): ClerkEventEnvelope {
  if (nestsDeeperThan(body, EVENT_BODY_LIMITS.maxDepth + 1)) {
    throw new MalformedMessageError(`event nests objects and arrays deeper than ${EVENT_BODY_LIMITS.maxDepth} levels`);
  }
  const event = value.event;
  if (!isRecord(event)) throw new MalformedMessageError('event is missing or not an object');
  if (optionalString(event.type) === undefined) throw new MalformedMessageError('event.type is missing');
  return event as unknown as ClerkEventEnvelope;
}

/**
 * Best-effort ids for a message that failed to decode, to label it in the DLQ: from the body's
 * envelope, else from the message attributes the verifier sets (a v2 body that does not parse
 * has its event type only there).
 */
export function identifiersOf(record: Pick<SQSRecord, 'body' | 'messageAttributes'>): { svixId?: string; eventType?: string } {
  const fromAttribute = (name: string) => optionalString(record.messageAttributes?.[name]?.stringValue);
  let svixId: string | undefined;
  let eventType: string | undefined;
  try {
    const value: unknown = JSON.parse(record.body);
    if (isRecord(value)) {
      svixId = optionalString(value.svixId);
      eventType = isRecord(value.event) ? optionalString(value.event.type) : undefined;
    }
  } catch {
    // not JSON: the attributes are all there is
  }
  svixId ??= fromAttribute(QUEUED_EVENT_ATTRIBUTES.svixId);
  eventType ??= fromAttribute(QUEUED_EVENT_ATTRIBUTES.eventType);
  return { ...(svixId === undefined ? {} : { svixId }), ...(eventType === undefined ? {} : { eventType }) };
}
