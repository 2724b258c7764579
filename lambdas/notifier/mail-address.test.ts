import { ConfigurationError } from '../shared/errors';
import { parseMailAddress } from './mail-address';

/** The one sender-address parser: the stack's fromAddress, the function's MAIL_FROM, replay-mails' --from, the local mailbox. */
describe('parseMailAddress', () => {
  it('reads a bare address, keeping its case and lower-casing the domain it reports', () => {
    expect(parseMailAddress(' Welcome@Acme.Example ', 'from')).toEqual({ address: 'Welcome@Acme.Example', domain: 'acme.example' });
    expect(parseMailAddress('<welcome@mail.acme.example>', 'from')).toEqual({ address: 'welcome@mail.acme.example', domain: 'mail.acme.example' });
  });

  it('reads a display name, without its quotes', () => {
    expect(parseMailAddress('Acme Inc. <welcome@acme.example>', 'from')).toEqual({
      displayName: 'Acme Inc.',
      address: 'welcome@acme.example',
      domain: 'acme.example',
    });
    expect(parseMailAddress('"Acme, Inc." < welcome@acme.example >', 'from')).toMatchObject({ displayName: 'Acme, Inc.', address: 'welcome@acme.example' });
    expect(parseMailAddress('"Acme \\"Labs\\"" <welcome@acme.example>', 'from')).toMatchObject({ displayName: 'Acme "Labs"' });
    expect(parseMailAddress('Café Ünï <welcome@acme.example>', 'from')).toMatchObject({ displayName: 'Café Ünï' });
  });

  // The stack always refused these; MAIL_FROM was not checked at all, and replay-mails' --from
  // took a domain without a dot (welcome@localhost) and list separators: the one rule is the stack's.
  it.each([
    'welcome',
    'welcome@localhost',
    'a@acme.example, b@acme.example',
    'a@acme.example; b@acme.example',
    'Acme <welcome>',
    'Acme welcome@acme.example',
    'Acme <a@acme.example> <b@acme.example>',
    '"welcome"@acme.example',
    '',
  ])('refuses "%s", naming the setting', (raw) => {
    expect(() => parseMailAddress(raw, 'mail fromAddress')).toThrow(ConfigurationError);
    expect(() => parseMailAddress(raw, 'mail fromAddress')).toThrow(
      `mail fromAddress must be one e-mail address, optionally with a display name ("Acme <welcome@acme.example>"), got "${raw}"`,
    );
  });
});
