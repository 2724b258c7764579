import { MailSendError } from '../../lambdas/shared/errors';
import type { MailSender, OutgoingMail, SentMail } from '../../lambdas/notifier/mail-sender';

type Behaviour =
  | { readonly kind: 'accept' }
  | { readonly kind: 'fail'; readonly error: () => Error }
  | { readonly kind: 'block'; readonly release: Promise<void> }
  /** Never answers by itself: only the abort signal ends the attempt. */
  | { readonly kind: 'hang' };

/**
 * An in-memory transport for tests: records every mail it accepted, and can be told to fail,
 * block until released, or hang until aborted, for the next calls.
 */
export class RecordingSender implements MailSender {
  readonly sent: OutgoingMail[] = [];
  /** Every call, accepted or not. */
  calls = 0;
  private readonly behaviours: Behaviour[] = [];
  private readonly startedWaiters: Array<() => void> = [];

  /** The next call accepts the mail (the default once no behaviour is queued). */
  acceptNext(): this {
    this.behaviours.push({ kind: 'accept' });
    return this;
  }

  /** The next call rejects with `error()`. */
  failNext(error: () => Error = () => new MailSendError('rejected by the test', 'MessageRejected')): this {
    this.behaviours.push({ kind: 'fail', error });
    return this;
  }

  /** The next call waits for `release`, then accepts the mail. */
  blockNext(release: Promise<void>): this {
    this.behaviours.push({ kind: 'block', release });
    return this;
  }

  hangNext(): this {
    this.behaviours.push({ kind: 'hang' });
    return this;
  }

  /** Resolves once a call has started (it may still be blocked). */
  started(): Promise<void> {
    return this.calls > 0 ? Promise.resolve() : new Promise((resolve) => this.startedWaiters.push(resolve));
  }

  to(address: string): OutgoingMail[] {
    return this.sent.filter((mail) => mail.to === address);
  }

  async send(mail: OutgoingMail, options?: { readonly signal?: AbortSignal }): Promise<SentMail> {
    this.calls += 1;
    for (const wake of this.startedWaiters.splice(0)) wake();
    const behaviour = this.behaviours.shift();
    if (behaviour?.kind === 'fail') throw behaviour.error();
    if (behaviour?.kind === 'block') await behaviour.release;
    if (behaviour?.kind === 'hang') {
      await new Promise<never>((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
      });
    }
    options?.signal?.throwIfAborted();
    this.sent.push(mail);
    return { messageId: `test-${this.sent.length}-${mail.kind}-${mail.membershipId ?? mail.userId}` };
  }
}
