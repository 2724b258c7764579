import { ConfigurationError } from '../shared/errors';

/** A sender address as every part of the project reads it: the stack's prop, the function's variable, the scripts' flag. */
export interface MailAddress {
  /** Without its quotes; absent for a bare address (or `<address>`). */
  readonly displayName?: string;
  /** The address itself, as written: `Welcome@Acme.example`. */
  readonly address: string;
  /** The address's domain, lower case: what an SES domain identity must cover. */
  readonly domain: string;
}

/** One `local@domain`: no spaces, quotes, brackets or list separators; a domain with at least one dot (SES sends from domains, not hosts). */
const ADDRESS = /^[^\s@<>",;]+@([^\s@<>",;]+\.[^\s@<>",;]+)$/;
/** `Display Name <address>`: the name holds no brackets, the address is the last thing. */
const NAMED = /^([^<>]*)<([^<>]+)>$/;

/**
 * The one parser of sender addresses: `welcome@acme.example`, `Acme <welcome@acme.example>` or
 * `"Acme, Inc." <welcome@acme.example>`. Anything else (two addresses, an address without a
 * domain, a name without brackets) throws a ConfigurationError naming `source`.
 */
export function parseMailAddress(raw: string, source: string): MailAddress {
  const text = raw.trim();
  const named = NAMED.exec(text);
  const address = (named === null ? text : named[2]!).trim();
  const match = ADDRESS.exec(address);
  if (match === null) {
    throw new ConfigurationError(
      `${source} must be one e-mail address, optionally with a display name ("Acme <welcome@acme.example>"), got "${raw}"`,
    );
  }
  const displayName = named === null ? '' : unquoted(named[1]!.trim());
  return { ...(displayName === '' ? {} : { displayName }), address, domain: match[1]!.toLowerCase() };
}

/** Printable 7-bit ASCII: a header may carry it as it is; anything else needs encoded-words. */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** `"Acme \"Labs\""` → `Acme "Labs"`; an unquoted name as it is. */
function unquoted(name: string): string {
  const quoted = /^"(.*)"$/.exec(name);
  return quoted === null ? name : quoted[1]!.replace(/\\(.)/g, '$1');
}
