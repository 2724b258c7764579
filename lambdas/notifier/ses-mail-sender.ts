import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailSendError } from '../shared/errors';
import { errorName } from '../shared/describe-failure';
import type { MailSender } from './mail-sender';
import { sesFromAddress } from './sender-address';

export interface SesMailSenderOptions {
  readonly client: SESv2Client;
  /** `welcome@acme.example` or `Acme <welcome@acme.example>`; must be a verified SES identity. */
  readonly from: string;
  readonly configurationSetName?: string;
}

/** The Lambda's transport: one SES v2 SendEmail per mail, plain text, UTF-8. */
export function createSesMailSender({ client, from, configurationSetName }: SesMailSenderOptions): MailSender {
  const fromAddress = sesFromAddress(from);
  return {
    async send(mail, options) {
      const command = new SendEmailCommand({
        FromEmailAddress: fromAddress,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
          },
        },
        ...(configurationSetName === undefined ? {} : { ConfigurationSetName: configurationSetName }),
      });
      let messageId: string | undefined;
      try {
        ({ MessageId: messageId } = await client.send(command, { abortSignal: options?.signal }));
      } catch (error) {
        const name = errorName(error);
        // SES messages can quote the recipient (MessageRejected): keep the name, the cause holds the rest.
        throw new MailSendError(`SES did not accept the mail: ${name}`, name, { cause: error });
      }
      // SES always returns one; without it the mail was still accepted, and must not be sent again.
      return { messageId: messageId ?? 'unknown' };
    },
  };
}
