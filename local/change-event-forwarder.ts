import type { ChangeEventEnvelope } from '../lambdas/change-events/change-event';
import { abortableSleep } from './abortable-sleep';
import { messageOf } from './console-lines';

/**
 * `npm start -- --change-events-url <url>`: POSTs each change event there, as a rule's target
 * would get it, one at a time and in order. Delivery is decoupled from the stream, like an
 * EventBridge target: the event is already in the file when it is queued here. An answer other
 * than 2xx, or none within the timeout, is retried with a growing pause (1 s doubling to 30 s)
 * for as long as `npm start` runs, holding back the events after it, so the developer's handler
 * gets every event, in order, once it answers. What is still queued at Ctrl-C is named on the
 * console: those events are the last lines of the file.
 */

export interface ChangeEventForwarderOptions {
  readonly url: string;
  /** A delivery that failed, once per run of failures; and when it went through again. */
  readonly onFailing?: (event: ChangeEventEnvelope, reason: string, retryInMs: number) => void;
  readonly onRecovered?: (event: ChangeEventEnvelope, attempts: number) => void;
  readonly onDelivered?: (event: ChangeEventEnvelope) => void;
  /** @default 1000 */
  readonly retryDelayMs?: number;
  /** @default 30_000 */
  readonly maxRetryDelayMs?: number;
  /** Per request. @default 10_000 */
  readonly timeoutMs?: number;
}

export interface RunningChangeEventForwarder {
  enqueue(event: ChangeEventEnvelope): void;
  /** Queued and not yet delivered. */
  pending(): number;
  /** Resolves once everything queued so far was delivered (tests, the bench). */
  drained(): Promise<void>;
  /** Stops retrying; resolves with the events not delivered, in order. */
  stop(): Promise<ChangeEventEnvelope[]>;
}

export function startChangeEventForwarder(options: ChangeEventForwarderOptions): RunningChangeEventForwarder {
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const abort = new AbortController();
  const queue: ChangeEventEnvelope[] = [];
  const idle: Array<() => void> = [];
  let running: Promise<void> | undefined;

  const post = async (event: ChangeEventEnvelope): Promise<string | undefined> => {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return messageOf(error);
    }
  };

  const deliverAll = async (): Promise<void> => {
    while (queue.length > 0 && !abort.signal.aborted) {
      const event = queue[0]!;
      let attempts = 0;
      let delay = retryDelayMs;
      for (;;) {
        attempts += 1;
        const failure = await post(event);
        if (failure === undefined) break;
        if (abort.signal.aborted) return;
        if (attempts === 1) options.onFailing?.(event, failure, delay);
        await abortableSleep(delay, abort.signal);
        if (abort.signal.aborted) return;
        delay = Math.min(delay * 2, maxRetryDelayMs);
      }
      queue.shift();
      if (attempts > 1) options.onRecovered?.(event, attempts);
      options.onDelivered?.(event);
    }
  };

  const kick = (): void => {
    running ??= deliverAll().finally(() => {
      running = undefined;
      if (queue.length > 0 && !abort.signal.aborted) kick();
      else for (const resolve of idle.splice(0)) resolve();
    });
  };

  return {
    enqueue(event) {
      if (abort.signal.aborted) return;
      queue.push(event);
      kick();
    },
    pending: () => queue.length,
    drained() {
      return queue.length === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    },
    async stop() {
      abort.abort();
      await running;
      for (const resolve of idle.splice(0)) resolve();
      return queue.splice(0);
    },
  };
}
