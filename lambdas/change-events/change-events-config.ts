import { requireEnv } from '../shared/require-env';
import { type ClientTimeouts, worstCaseCallMs } from '../shared/sdk-client-options';

/**
 * The change events publisher's configuration: the environment variable lib/constructs/change-events
 * sets and the defaults of its event source, used by the construct, the function and the local
 * pipeline. Plain values only: the function bundles this module (lib/pipeline-defaults.ts wraps
 * the durations for the stack).
 */

export const CHANGE_PUBLISHER_ENV = {
  /** The bus the events go to; the function may put events on it and on nothing else. */
  eventBusName: 'EVENT_BUS_NAME',
} as const;

/**
 * One PutEvents call: an attempt that has not answered in 3 s is abandoned and retried, three
 * attempts at most, so a hung endpoint costs at most worstCaseCallMs (12 s), well inside the
 * function's timeout; the handler starts no put it could not finish (publishReserveMs).
 */
const EVENT_BRIDGE_TIMEOUTS: ClientTimeouts = { connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxAttempts: 3 };

export const CHANGE_PUBLISHER_DEFAULTS = {
  /** Function timeout, seconds: a batch is a few puts of up to 10 events. */
  timeoutSeconds: 30,
  eventBridgeTimeouts: EVENT_BRIDGE_TIMEOUTS,
  /**
   * Time a put needs left in the invocation before it starts: its worst case and a second for the
   * answer. With less, the batch stops at that record and the event source retries from it.
   */
  publishReserveMs: worstCaseCallMs(EVENT_BRIDGE_TIMEOUTS) + 1_000,
  /** Stream records per invocation: changes that come together go out in fewer invocations. */
  batchSize: 100,
  /**
   * Records older than this go to the on-failure queue (seconds). Until then a failing record is
   * retried and holds back the records after it: order is kept, and the stream's 24 hours are
   * never reached with a record nobody recorded.
   */
  maxRecordAgeSeconds: 6 * 60 * 60,
} as const;

export interface ChangeEventsConfig {
  readonly eventBusName: string;
}

/** Throws a ConfigurationError when the bus is not named: a bad deployment fails at cold start. */
export function readChangeEventsConfig(env: NodeJS.ProcessEnv = process.env): ChangeEventsConfig {
  return { eventBusName: requireEnv(CHANGE_PUBLISHER_ENV.eventBusName, env) };
}
