import { InvalidSigningSecretError } from '../shared/errors';
import { parseSigningSecrets, staticSecretSource } from './signing-secrets';

const A = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const B = 'whsec_' + Buffer.alloc(32, 1).toString('base64');

describe('parseSigningSecrets', () => {
  it.each([
    ['one secret', A, [A]],
    ['surrounding whitespace', `  ${A}\n`, [A]],
    ['space separated', `${A} ${B}`, [A, B]],
    ['comma separated', `${A},${B}`, [A, B]],
    ['comma and space', `${A}, ${B}`, [A, B]],
    ['newline separated', `${A}\n${B}\n`, [A, B]],
  ])('reads %s', (_label, value, expected) => {
    expect(parseSigningSecrets(value)).toEqual(expected);
  });

  it('accepts a key of exactly 16 bytes', () => {
    const sixteen = `whsec_${Buffer.alloc(16, 3).toString('base64')}`;
    expect(parseSigningSecrets(sixteen)).toEqual([sixteen]);
  });

  it.each([
    ['an empty value', '  ', 'signing secret is empty: expected one or more whsec_… values separated by spaces or commas'],
    ['a value without the prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'signing secret entry 1 of 1 does not start with whsec_'],
    ['a second entry without the prefix', `${A} sk_live_abc`, 'signing secret entry 2 of 2 does not start with whsec_'],
    ['an unpadded key', 'whsec_YWJjZA', 'signing secret entry 1 of 1 is not padded standard base64 after whsec_'],
    ['a URL-safe key', 'whsec_ab-_', 'signing secret entry 1 of 1 is not padded standard base64 after whsec_'],
    ['an empty key', 'whsec_', 'signing secret entry 1 of 1 is not padded standard base64 after whsec_'],
    // Guessable online, with several candidate signatures per request.
    ['a one-byte key', 'whsec_AA==', 'signing secret entry 1 of 1 is a 1-byte key; at least 16 bytes are required (Svix issues 24)'],
    [
      'a 15-byte key next to a good one',
      `${A} whsec_${Buffer.alloc(15, 9).toString('base64')}`,
      'signing secret entry 2 of 2 is a 15-byte key; at least 16 bytes are required (Svix issues 24)',
    ],
    [
      'a JSON key/value secret',
      `{"secret":"${A}"}`,
      'signing secret looks like a JSON key/value secret: store the plain whsec_… string (Secrets Manager "Plaintext")',
    ],
  ])('rejects %s with a message that says what to fix and never quotes the value', (_label, value, message) => {
    expect(() => parseSigningSecrets(value)).toThrow(new InvalidSigningSecretError(message));
  });
});

describe('staticSecretSource', () => {
  it('validates once and always returns the same secret set', async () => {
    const source = staticSecretSource([A, B]);
    const first = await source.getSecrets();
    expect(first).toEqual([A, B]);
    expect(await source.getSecrets({ refresh: true })).toBe(first);
    expect(() => staticSecretSource(['nope'])).toThrow(InvalidSigningSecretError);
  });
});
