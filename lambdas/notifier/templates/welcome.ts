import { greeting, oneLine, signOff, type MailContent } from './mail-content';

export interface WelcomeValues {
  readonly appName: string;
  readonly firstName?: string;
}

export function welcomeMail({ appName, firstName }: WelcomeValues): MailContent {
  const app = oneLine(appName);
  return {
    subject: `Welcome to ${app}`,
    text: [
      greeting(firstName),
      '',
      `welcome to ${app}! Your account is ready and you can sign in at any time.`,
      '',
      'If you did not create this account, you can ignore this message.',
      ...signOff(app),
    ].join('\n'),
  };
}
