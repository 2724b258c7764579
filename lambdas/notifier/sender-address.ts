import { encodedWords } from './encoded-words';
import { isPrintableAscii, parseMailAddress } from './mail-address';

/**
 * SES takes `Name <address>` only in 7-bit ASCII: its SendEmail documentation requires a
 * "friendly from" name with other characters to be MIME encoded-words (RFC 2047). `Café Ünï <welcome@acme.example>`
 * becomes `=?UTF-8?B?Q2Fmw6kgw5xuw68=?= <welcome@acme.example>`; ASCII input is returned as is.
 * Throws a ConfigurationError for anything parseMailAddress refuses.
 */
export function sesFromAddress(from: string): string {
  const { displayName, address } = parseMailAddress(from, 'the sender address');
  if (displayName === undefined || isPrintableAscii(displayName)) return from.trim();
  return `${encodedWords(displayName)} <${address}>`;
}
