import { sesFromAddress } from './sender-address';

/** Decodes RFC 2047 B-words the way a mail client does, to check what the recipient sees. */
function decoded(header: string): string {
  return header.replace(/=\?UTF-8\?B\?([^?]+)\?=\s*/g, (_, base64: string) => Buffer.from(base64, 'base64').toString('utf8'));
}

describe('sender address for SES', () => {
  it('leaves bare addresses and ASCII display names alone', () => {
    expect(sesFromAddress('welcome@acme.example')).toBe('welcome@acme.example');
    expect(sesFromAddress(' Acme <welcome@acme.example> ')).toBe('Acme <welcome@acme.example>');
    expect(sesFromAddress('"Acme, Inc." <welcome@acme.example>')).toBe('"Acme, Inc." <welcome@acme.example>');
  });

  it('encodes a non-ASCII display name as RFC 2047 words that decode back to it', () => {
    const header = sesFromAddress('Café Ünï <welcome@acme.example>');
    expect(header).toBe('=?UTF-8?B?Q2Fmw6kgw5xuw68=?= <welcome@acme.example>');
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(sesFromAddress('"Café" <welcome@acme.example>')).toBe(`=?UTF-8?B?${Buffer.from('Café').toString('base64')}?= <welcome@acme.example>`);
  });

  it('splits long names between characters, each word at most 75 characters', () => {
    const name = 'Ünïcödé Wëlcömé Tëäm — 日本語のチーム — Ωμέγα';
    const header = sesFromAddress(`${name} <welcome@acme.example>`);
    const words = header.replace(/ <welcome@acme\.example>$/, '').split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decoded(header)).toBe(`${name}<welcome@acme.example>`);
  });
});
