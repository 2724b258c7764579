/** Bytes per encoded-word: 45 bytes are 60 base64 characters, under RFC 2047's 75 with the `=?UTF-8?B?…?=` frame. */
const WORD_BYTES = 45;

/**
 * SES takes `Name <address>` only in 7-bit ASCII: its SendEmail documentation requires a
 * "friendly from" name with other characters to be MIME encoded-words (RFC 2047). `Café Ünï <welcome@acme.example>`
 * becomes `=?UTF-8?B?Q2Fmw6kgw5xuw68=?= <welcome@acme.example>`; ASCII input is returned as is.
 */
export function sesFromAddress(from: string): string {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(from);
  if (match === null) return from.trim();
  const [, name = '', address = ''] = match;
  const unquoted = name.replace(/^"(.*)"$/, '$1');
  if (/^[\x20-\x7e]*$/.test(unquoted)) return from.trim();
  return `${encodedWords(unquoted)} <${address}>`;
}

function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  // Split between characters, never inside one: each word must decode to valid UTF-8 on its own.
  for (const char of text) {
    if (chunk !== '' && Buffer.byteLength(chunk + char, 'utf8') > WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}
