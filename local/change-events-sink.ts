import { appendFile, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CHANGE_EVENT_SOURCE, type ChangeEventDetail, type ChangeEventEnvelope } from '../lambdas/change-events/change-event';
import type { ChangeEventPublisher } from '../lambdas/change-events/create-change-events-handler';
import { putEventsEntry } from '../lambdas/change-events/event-bridge-publisher';

/**
 * `npm start`'s bus: the publisher's PutEvents entries (the same ones it puts on EventBridge)
 * turned into the events a rule's target receives, as EventBridge would (its envelope: a fresh
 * id per delivery, the account, the region, the time to the second), and appended to a JSON
 * lines file, one event a line. A put counts as accepted once its lines are in the file; a file
 * that cannot be written fails the put, and the stream source retries it.
 */

/** DynamoDB Local and the emulators run in no account; EventBridge's examples use this one. */
export const LOCAL_ACCOUNT = '000000000000';
const LOCAL_BUS = 'clerk-webhook-sync-local';

export interface ChangeEventsSinkOptions {
  /** Created, with its directory, on the first event. */
  readonly file: string;
  readonly region: string;
  /** Each event once its line is in the file, in order. */
  readonly onEvent?: (event: ChangeEventEnvelope) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export function createChangeEventsSink(options: ChangeEventsSinkOptions): ChangeEventPublisher {
  const now = options.now ?? Date.now;
  let directoryReady: Promise<unknown> | undefined;
  return async (events) => {
    const envelopes = events.map((event) => envelopeOf(putEventsEntry(event, LOCAL_BUS), options.region, now()));
    // A failed mkdir is asked again by the next put (the stream source retries it), not kept.
    directoryReady ??= mkdir(path.dirname(options.file), { recursive: true }).catch((error: unknown) => {
      directoryReady = undefined;
      throw error;
    });
    await directoryReady;
    await appendFile(options.file, envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`).join(''));
    for (const envelope of envelopes) options.onEvent?.(envelope);
    return {};
  };
}

/** What EventBridge makes of a PutEvents entry for a rule's target. */
export function envelopeOf(entry: ReturnType<typeof putEventsEntry>, region: string, nowMs: number): ChangeEventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType as ChangeEventEnvelope['detail-type'],
    source: entry.Source as typeof CHANGE_EVENT_SOURCE,
    account: LOCAL_ACCOUNT,
    // EventBridge gives the time to the second: 2024-05-29T16:28:20Z.
    time: (entry.Time ?? new Date(nowMs)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail!) as ChangeEventDetail,
  };
}
