import { greeting, oneLine, signOff, type MailContent } from './mail-content';
import { MAX_ORGANIZATION_NAME_LENGTH, safeName } from './user-text';

export interface AdminWelcomeValues {
  readonly appName: string;
  /** The organization's name, shown made safe (user-text.ts); absent while the organization is not synced (yet). */
  readonly organizationName?: string;
  readonly firstName?: string;
}

export function adminWelcomeMail({ appName, organizationName, firstName }: AdminWelcomeValues): MailContent {
  const app = oneLine(appName);
  const organization = (organizationName === undefined ? '' : safeName(organizationName, MAX_ORGANIZATION_NAME_LENGTH)) || 'your organization';
  return {
    subject: `You are now an admin of ${organization} on ${app}`,
    text: [
      greeting(firstName),
      '',
      `you are now an admin of ${organization} on ${app}.`,
      'As an admin you can invite and remove members, change their roles and manage the organization\'s settings.',
      ...signOff(app),
    ].join('\n'),
  };
}
