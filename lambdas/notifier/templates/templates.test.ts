import { NOTIFIER_DEFAULTS } from '../notifier-config';
import { adminWelcomeMail } from './admin-welcome';
import { greeting, oneLine } from './mail-content';
import { welcomeMail } from './welcome';

describe('welcome template', () => {
  it('greets by first name and names the app', () => {
    const mail = welcomeMail({ appName: 'Acme', firstName: 'Ada' });
    expect(mail.subject).toBe('Welcome to Acme');
    expect(mail.text.split('\n')[0]).toBe('Hi Ada,');
    expect(mail.text).toContain('welcome to Acme!');
    expect(mail.text.endsWith('The Acme team')).toBe(true);
  });

  it('greets without a name when the user has none', () => {
    expect(welcomeMail({ appName: 'Acme' }).text.split('\n')[0]).toBe('Hello,');
    expect(welcomeMail({ appName: 'Acme', firstName: ' \n ' }).text.split('\n')[0]).toBe('Hello,');
  });

  it('is not signed by "The our app team" when no app name is configured', () => {
    const mail = welcomeMail({ appName: NOTIFIER_DEFAULTS.appName });
    expect(mail.subject).toBe('Welcome to our app');
    expect(mail.text).not.toContain('team');
    expect(adminWelcomeMail({ appName: NOTIFIER_DEFAULTS.appName, organizationName: 'Org' }).text).not.toContain('team');
  });
});

describe('admin welcome template', () => {
  it('names the organization and the app', () => {
    const mail = adminWelcomeMail({ appName: 'Acme', organizationName: 'Analytical Engines', firstName: 'Ada' });
    expect(mail.subject).toBe('You are now an admin of Analytical Engines on Acme');
    expect(mail.text).toContain('Hi Ada,');
    expect(mail.text).toContain('you are now an admin of Analytical Engines on Acme.');
  });
});

describe('values from outside', () => {
  it('cannot break the subject header or a template line', () => {
    const mail = adminWelcomeMail({ appName: 'Acme\r\nBcc: x@example.com', organizationName: 'Org\nInjected', firstName: 'Ada\r\nX' });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe('You are now an admin of Org Injected on Acme Bcc: x@example.com');
    expect(mail.text.split('\n')[0]).toBe('Hi Ada X,');
    expect(oneLine('  a\t\tb  ')).toBe('a b');
    expect(greeting(undefined)).toBe('Hello,');
  });
});
