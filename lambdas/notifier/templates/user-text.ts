/**
 * Text that users type (a first name, an organization's name) shown in a mail our domain
 * sends. Anyone can sign up with any name, so a name must not carry a message of its own: no
 * link, domain or address a reader or a mail program could follow, no markup, no line break
 * (header injection), no invisible or direction-changing characters, and not much of it.
 */

/** Longest first name a mail shows, in characters. */
export const MAX_FIRST_NAME_LENGTH = 40;
/** Longest organization name a mail shows, in characters. */
export const MAX_ORGANIZATION_NAME_LENGTH = 60;

// Invisible characters (zero-width spaces and joiners, bidi overrides...) go without a trace, so
// they cannot hide a word's shape from the checks below; control characters (line breaks
// included) separate words.
const INVISIBLE = /\p{Cf}/gu;
const CONTROL = /\p{Cc}/gu;
// What a name may keep: letters, combining marks, digits, apostrophes, hyphens, periods and
// underscores. Everything else (<, >, brackets, quotes, slashes, `@`, `:`, `#`, `?`, `&`, `=`,
// `%`...) separates words.
const NOT_NAME_CHARACTER = /[^\p{L}\p{M}\p{N}'’.\-_]+/gu;
// A dot between a character and two more (`evil.example`, `a.co`, `192.168.0.1`): a domain
// to a mail program's link detection, or to a reader. `J.R.R.` and `Jr.` keep their dots.
const DOMAIN_LIKE = /[\p{L}\p{N}_-]\.[\p{L}\p{N}-]{2}/u;
// `https:`, `mailto:x`, `javascript:alert(1)`: a scheme, whatever follows.
const SCHEME_LIKE = /[a-z][a-z0-9+.-]*:[^\s]/iu;
// Five digits or more in a row, across spaces, dots and hyphens: a phone number, which phones
// turn into a link (`+1 555 0100`), or an account or order number to make a message look real.
const NUMBER_LIKE = /\d(?:[ .\-]*\d){4,}/gu;
// Work on a bounded prefix: Clerk caps names, but the notifier trusts nothing it reads.
const MAX_INPUT_LENGTH = 1_000;

/**
 * The name made safe to show: compatibility-normalized (a full-width `．` or `＠` becomes the
 * character it imitates, and is then treated as such), without any word that looks like a URL,
 * a domain or an address (the whole word goes, whatever markup is wrapped around it), stripped
 * of every character a name does not need and of phone-like numbers, on one line, at most
 * `maxLength` characters. May be
 * empty: the template then does without the name.
 */
export function safeName(value: string, maxLength: number): string {
  const words = value
    .slice(0, MAX_INPUT_LENGTH)
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .split(/\s+/)
    .filter((word) => !looksLikeALink(word))
    .flatMap((word) => word.split(NOT_NAME_CHARACTER))
    .filter((word) => word !== '');
  const text = words.join(' ').replace(NUMBER_LIKE, ' ').replace(/ {2,}/g, ' ');
  return truncate(text.trim(), maxLength).trim();
}

function looksLikeALink(word: string): boolean {
  return word.includes('@') || SCHEME_LIKE.test(word) || DOMAIN_LIKE.test(word.replace(NOT_NAME_CHARACTER, ''));
}

/** By code points, so a character outside the BMP is never cut in half. */
function truncate(value: string, maxLength: number): string {
  const characters = Array.from(value);
  return characters.length <= maxLength ? value : characters.slice(0, maxLength).join('');
}
