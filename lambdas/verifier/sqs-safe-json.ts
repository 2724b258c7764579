/**
 * SQS accepts only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF in a message
 * body, and the local emulator not even the last range. JSON.stringify already escapes control
 * characters and lone surrogates; this also escapes U+FFFE, U+FFFF and astral characters (emoji in
 * a user's name). Outside string literals JSON output is ASCII, so every match is inside a string
 * and its `\uXXXX` escape parses back to exactly the same value.
 */
const NOT_SQS_SAFE = /[\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

export function toSqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(NOT_SQS_SAFE, escapeUtf16);
}

function escapeUtf16(chars: string): string {
  let escaped = '';
  for (let i = 0; i < chars.length; i += 1) escaped += `\\u${chars.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}
