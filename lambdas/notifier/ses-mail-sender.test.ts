import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { MailSendError } from '../shared/errors';
import { describeFailure } from '../shared/describe-failure';
import type { OutgoingMail } from './mail-sender';
import { createSesMailSender } from './ses-mail-sender';

const mail: OutgoingMail = {
  kind: 'welcome',
  to: 'ada@example.com',
  subject: 'Welcome to Acme',
  text: 'Hi Ada,\n\nwelcome to Acme!',
  userId: 'user_2a',
};

describe('SES mail sender', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());
  afterAll(() => ses.restore());

  it('sends one plain-text UTF-8 mail from the configured address and returns the SES message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0100018fc0ffee-abc' });
    const sender = createSesMailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'Acme <welcome@acme.example>' });

    await expect(sender.send(mail)).resolves.toEqual({ messageId: '0100018fc0ffee-abc' });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      FromEmailAddress: 'Acme <welcome@acme.example>',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Welcome to Acme', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Hi Ada,\n\nwelcome to Acme!', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('sends a non-ASCII display name as RFC 2047 words, which SES requires', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await createSesMailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'Café <welcome@acme.example>' }).send(mail);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.FromEmailAddress).toBe('=?UTF-8?B?Q2Fmw6k=?= <welcome@acme.example>');
  });

  it('names the configuration set when one is configured', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const sender = createSesMailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'welcome@acme.example', configurationSetName: 'mail-events' });
    await sender.send(mail);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.ConfigurationSetName).toBe('mail-events');
  });

  it('hands the abort signal to the SDK', async () => {
    const client = new SESv2Client({ region: 'us-east-1' });
    const send = jest.spyOn(client, 'send').mockImplementation(async () => ({ MessageId: 'm-2', $metadata: {} }));
    const controller = new AbortController();
    await createSesMailSender({ client, from: 'welcome@acme.example' }).send(mail, { signal: controller.signal });
    expect(send).toHaveBeenCalledWith(expect.any(SendEmailCommand), { abortSignal: controller.signal });
  });

  it.each([
    ['MessageRejected', () => new MessageRejected({ message: 'Email address is not verified: ada@example.com', $metadata: {} })],
    ['TooManyRequestsException', () => new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} })],
    ['AbortError', () => Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
  ])('wraps %s in a MailSendError that keeps the name and never quotes the address', async (name, error) => {
    ses.on(SendEmailCommand).rejects(error());
    const sender = createSesMailSender({ client: new SESv2Client({ region: 'us-east-1' }), from: 'welcome@acme.example' });

    const failure = await sender.send(mail).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(failure).toBeInstanceOf(MailSendError);
    const sendError = failure as MailSendError;
    expect(sendError.transportErrorName).toBe(name);
    expect(sendError.code).toBe('MAIL_SEND');
    expect(sendError.message).toBe(`SES did not accept the mail: ${name}`);
    expect((sendError.cause as Error).name).toBe(name);
    expect(describeFailure(sendError)).toBe(`MailSendError: ${name}`);
    expect(describeFailure(sendError)).not.toContain('ada@');
  });
});
