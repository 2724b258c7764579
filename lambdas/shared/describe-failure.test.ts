import { LedgerWriteError, MailSendError } from './errors';
import { describeFailure, errorName } from './describe-failure';

describe('describeFailure', () => {
  it('quotes our own data-free messages', () => {
    expect(describeFailure(new LedgerWriteError('mail ledger claim failed: ThrottlingException'))).toBe(
      'LedgerWriteError: mail ledger claim failed: ThrottlingException',
    );
  });

  it('names a transport failure by the transport\'s error name only', () => {
    const error = new MailSendError('Address ada@example.com is on the suppression list', 'MessageRejected');
    expect(describeFailure(error)).toBe('MailSendError: MessageRejected');
  });

  it('names any other error without its message, which may hold personal data', () => {
    const error = Object.assign(new Error('Email address is not verified: ada@example.com'), { name: 'MessageRejected' });
    expect(describeFailure(error)).toBe('MessageRejected');
    expect(describeFailure('a string')).toBe('non-error thrown');
    expect(errorName(new TypeError('x'))).toBe('TypeError');
  });
});
