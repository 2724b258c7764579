import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { CHANGE_EVENT_SOURCE, type ChangeEvent } from './change-event';
import type { ChangeEventPublisher } from './create-change-events-handler';

/** The PutEvents entry of one change event; `npm start` turns the same entry into what a rule's target receives. */
export function putEventsEntry(event: ChangeEvent, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: CHANGE_EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    ...(event.time === undefined ? {} : { Time: new Date(event.time) }),
  };
}

/** Puts change events on an EventBridge bus; the SDK retries throttling and 5xx, the event source everything else. */
export function createEventBridgePublisher(client: EventBridgeClient, eventBusName: string): ChangeEventPublisher {
  return async (events) => {
    const response = await client.send(new PutEventsCommand({ Entries: events.map((event) => putEventsEntry(event, eventBusName)) }));
    if (!response.FailedEntryCount) return {};
    // Entries come back in the order they were put; a refused one has an ErrorCode.
    const entries = response.Entries ?? [];
    const failedFrom = entries.findIndex((entry) => entry.ErrorCode !== undefined);
    const refused = entries[failedFrom];
    return { failedFrom: Math.max(failedFrom, 0), reason: refused?.ErrorCode ?? `${response.FailedEntryCount} entries failed` };
  };
}
