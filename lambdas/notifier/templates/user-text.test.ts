import { adminWelcomeMail } from './admin-welcome';
import { MAX_FIRST_NAME_LENGTH, MAX_ORGANIZATION_NAME_LENGTH, safeName } from './user-text';
import { welcomeMail } from './welcome';

/** Whatever a mail program or a reader could take for a link, an address or markup. */
const LINK_OR_MARKUP = /[<>[\](){}"`\\/:@]|[\p{L}\p{N}_-]\.[\p{L}\p{N}-]{2}|www|https?/iu;

describe('safeName', () => {
  it('keeps ordinary names of any script, with apostrophes, hyphens, initials and accents', () => {
    expect(safeName('Ada', 40)).toBe('Ada');
    expect(safeName("Zoë O'Brien-Łukasiewicz", 40)).toBe("Zoë O'Brien-Łukasiewicz");
    expect(safeName('J.R.R. Tolkien Jr.', 40)).toBe('J.R.R. Tolkien Jr.');
    expect(safeName('李小龍', 40)).toBe('李小龍');
    expect(safeName('محمد', 40)).toBe('محمد');
    expect(safeName('  Grace \n\t Hopper  ', 40)).toBe('Grace Hopper');
  });

  it.each([
    ['a URL', 'Win a prize at https://evil.example/claim?id=1', 'Win a prize at'],
    ['a bare domain', 'Ada, visit evil.example now', 'Ada visit now'],
    ['a domain with a path', 'evil.example/login', ''],
    ['www without a scheme', 'go to www.evil.example', 'go to'],
    ['an address', 'write to billing@evil.example', 'write to'],
    ['an IP address', 'Ada 192.168.0.1', 'Ada'],
    ['a short top-level domain', 'Bob x.co', 'Bob'],
    ['HTML', '<a href="https://evil.example">Click</a>', 'a'],
    ['Markdown', '[Reset your password](https://evil.example)', 'Reset your'],
    ['a javascript: URL', 'javascript:alert(1)', ''],
    ['full-width dots and at signs', 'Ada evil．example ｗｗｗ＠evil', 'Ada'],
    ['a line break (header injection)', 'Ada\r\nBcc: victim@example.com', 'Ada Bcc'],
    ['control characters', 'Ada\u0000\u0007\u001b[31m', 'Ada 31m'],
    ['bidi overrides and zero-width characters', 'Ada \u202egnp.exe\u200b\u2066 Lovelace', 'Ada Lovelace'],
    ['a domain split by markup', 'Ada evil<b></b>.example', 'Ada'],
    ['a domain split by a zero-width space', 'Ada evil\u200b.example', 'Ada'],
    ['a phone number', 'Ada call +1 (555) 010-0199', 'Ada call'],
  ])('strips %s', (_what, hostile, expected) => {
    const safe = safeName(hostile, 60);
    expect(safe).toBe(expected);
    expect(safe).not.toMatch(LINK_OR_MARKUP);
  });

  it('cuts long names to the limit, never in the middle of a character', () => {
    expect(safeName('A'.repeat(500), MAX_FIRST_NAME_LENGTH)).toBe('A'.repeat(MAX_FIRST_NAME_LENGTH));
    const astral = '𠀀'.repeat(100);
    expect(Array.from(safeName(astral, 10))).toEqual(Array.from('𠀀'.repeat(10)));
    expect(safeName('x'.repeat(1_000_000), MAX_ORGANIZATION_NAME_LENGTH)).toHaveLength(MAX_ORGANIZATION_NAME_LENGTH);
  });
});

describe('hostile names in the mails', () => {
  const hostileFirstName = 'Your account is locked. Unlock it at https://evil.example/unlock <b>now</b>';
  const hostileOrganization = 'Security team: call +1 555 0100 or visit evil.example [here](https://evil.example)';

  it('the welcome greets with what is left of the name, and nothing of the link', () => {
    const mail = welcomeMail({ appName: 'Acme', firstName: hostileFirstName });
    expect(mail.text.split('\n')[0]).toBe('Hi Your account is locked. Unlock it at b n,');
    expect(`${mail.subject}\n${mail.text}`).not.toMatch(/evil|<|>|https?|\[|\]/);
  });

  it('the admin welcome shows a bounded, link-free organization name in the subject and the text', () => {
    const mail = adminWelcomeMail({ appName: 'Acme', organizationName: hostileOrganization, firstName: hostileFirstName });
    expect(mail.subject).toBe('You are now an admin of Security team call or visit on Acme');
    expect(`${mail.subject}\n${mail.text}`).not.toMatch(/evil|<|>|https?|\[|\]|\(|\)/);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('falls back to a plain greeting and a generic organization when nothing of a name is left', () => {
    expect(welcomeMail({ appName: 'Acme', firstName: 'https://evil.example' }).text.split('\n')[0]).toBe('Hello,');
    expect(adminWelcomeMail({ appName: 'Acme', organizationName: '<evil.example>' }).subject).toBe('You are now an admin of your organization on Acme');
    // An organization not synced yet: no name, rather than its id made safe (org_2Nx9ab3K48213QzP would lose its digits).
    expect(adminWelcomeMail({ appName: 'Acme' }).subject).toBe('You are now an admin of your organization on Acme');
  });
});
