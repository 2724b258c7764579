import { createConsoleReporter } from './console-reporter';

/** The console lines of `npm start`: ids, types, statuses; reasons shortened to one line. */

function capture(): { lines: string[]; reporter: ReturnType<typeof createConsoleReporter> } {
  const lines: string[] = [];
  return { lines, reporter: createConsoleReporter((line) => lines.push(line), () => new Date(2024, 4, 29, 16, 26, 40, 7)) };
}

describe('console reporter', () => {
  it('shows received and rejected requests', () => {
    const { lines, reporter } = capture();
    reporter.received({ statusCode: 200, svixId: 'msg_1', eventType: 'user.created' });
    reporter.received({ statusCode: 401, svixId: 'msg_2', error: 'no signature matched:\n check the signing secret' });
    reporter.received({ statusCode: 400 });
    reporter.received({ statusCode: 200, svixId: 'msg_3', eventType: 'email.created', notQueued: 'event type not modelled' });
    expect(lines).toEqual([
      '16:26:40.007  received 200                msg_1  user.created',
      '16:26:40.007  rejected 401                msg_2  — no signature matched: check the signing secret',
      '16:26:40.007  rejected 400                (no svix-id)',
      '16:26:40.007  received 200                msg_3  email.created  — not queued: event type not modelled',
    ]);
  });

  it('shows each outcome, with the attempt for failures and what happens next', () => {
    const { lines, reporter } = capture();
    reporter.outcome({ result: 'applied', svixId: 'msg_1', eventType: 'user.created', entityId: 'user_1' });
    reporter.outcome({ result: 'duplicate', svixId: 'msg_1', eventType: 'user.created', entityId: 'user_1' });
    reporter.outcome({ result: 'stale', svixId: 'msg_3', eventType: 'user.updated', entityId: 'user_1' });
    reporter.outcome({ result: 'ignored', svixId: 'msg_4', eventType: 'email.created', reason: 'event type not modelled' });
    reporter.outcome({ result: 'failed', svixId: 'msg_5', eventType: 'user.updated', entityId: 'user_1', reason: 'ThrottlingException: slow down', attempt: 1, maxAttempts: 5 });
    reporter.outcome({ result: 'failed', svixId: 'msg_5', eventType: 'user.updated', entityId: 'user_1', reason: 'ThrottlingException: slow down', attempt: 5, maxAttempts: 5 });
    reporter.outcome({ result: 'dead-lettered', svixId: 'msg_6', eventType: 'user.updated', reason: 'MalformedEventError: data.id is missing' });
    reporter.problem(`SQS: ${'x'.repeat(300)}`);
    expect(lines.slice(0, 7)).toEqual([
      '16:26:40.007  applied                     msg_1  user.created                    user_1',
      '16:26:40.007  skipped (duplicate)         msg_1  user.created                    user_1',
      '16:26:40.007  skipped (stale)             msg_3  user.updated                    user_1',
      '16:26:40.007  ignored (unmodelled type)   msg_4  email.created',
      '16:26:40.007  failed                      msg_5  user.updated                    user_1  (attempt 1 of 5, will retry after the visibility timeout)  — ThrottlingException: slow down',
      '16:26:40.007  failed                      msg_5  user.updated                    user_1  (attempt 5 of 5; the queue moves it to the DLQ)  — ThrottlingException: slow down',
      '16:26:40.007  dead-lettered               msg_6  user.updated  — MalformedEventError: data.id is missing',
    ]);
    expect(lines[7]).toMatch(/^16:26:40\.007  error +SQS: x+…$/);
    expect(lines[7]!.slice(lines[7]!.indexOf('SQS'))).toHaveLength(160);
  });

  it('shows each mail: sent with its file, skipped with the reason, failed with what happens next; never an address', () => {
    const { lines, reporter } = capture();
    reporter.mail!({ kind: 'welcome', result: 'sent', userId: 'user_1', file: '/tmp/mailbox/a.eml' });
    reporter.mail!({ kind: 'admin-welcome', result: 'skipped', userId: 'user_1', membershipId: 'orgmem_1', reason: 'already-sent' });
    reporter.mail!({ kind: 'welcome', result: 'failed', userId: 'user_2', reason: 'MailSendError: ThrottlingException' });
    expect(lines).toEqual([
      expect.stringMatching(/^16:26:40\.007  mail sent +welcome +user_1  -> \/tmp\/mailbox\/a\.eml$/),
      expect.stringMatching(/^16:26:40\.007  mail skipped \(already-sent\) +admin-welcome +user_1  orgmem_1$/),
      expect.stringMatching(/^16:26:40\.007  mail failed +welcome +user_2  \(the stream retries it\)  — MailSendError: ThrottlingException$/),
    ]);
  });

  it('shows each change event: its type, the entity id and, for updates, the names of the changed fields', () => {
    const { lines, reporter } = capture();
    reporter.changeEvent!({ detailType: 'user.created', id: 'user_1' });
    reporter.changeEvent!({ detailType: 'user.updated', id: 'user_1', changedFields: ['firstName', 'updatedAt'] });
    expect(lines).toEqual([
      '16:26:40.007  change event                user.created                    user_1',
      '16:26:40.007  change event                user.updated                    user_1  (firstName, updatedAt)',
    ]);
  });
});
