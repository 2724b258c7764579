/** RFC 2047: an encoded-word is at most 75 characters. */
const MAX_ENCODED_WORD = 75;
/** RFC 2047: a header line holding encoded-words is at most 76 characters. */
const MAX_ENCODED_LINE = 76;
const PREFIX = '=?UTF-8?B?';
const SUFFIX = '?=';

export interface EncodedWordsOptions {
  /** Characters before the text on its first line (`Subject: `). @default 0 */
  readonly used?: number;
  /** Between two words: a space keeps them on one line, `\r\n ` folds the header. @default ' ' */
  readonly separator?: string;
}

/**
 * RFC 2047 `B` encoded-words of `text`, split between characters (a UTF-8 sequence never spans
 * two words, so each decodes on its own), each word short enough for its line: for a header
 * that is not 7-bit ASCII (a display name, a subject). SES requires them for a non-ASCII
 * "friendly from" name; the local mailbox writes them into its .eml files.
 */
export function encodedWords(text: string, { used = 0, separator = ' ' }: EncodedWordsOptions = {}): string {
  // Every 3 bytes become 4 base64 characters; a continuation line starts with one space.
  const bytesFor = (lineUsed: number) =>
    Math.floor((Math.min(MAX_ENCODED_WORD, MAX_ENCODED_LINE - lineUsed) - PREFIX.length - SUFFIX.length) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  let budget = bytesFor(used);
  for (const char of text) {
    if (chunk !== '' && Buffer.byteLength(chunk + char, 'utf8') > budget) {
      words.push(chunk);
      chunk = '';
      budget = bytesFor(1);
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `${PREFIX}${Buffer.from(word, 'utf8').toString('base64')}${SUFFIX}`).join(separator);
}
