import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { ConfigurationError } from '../shared/errors';
import { splitList } from '../shared/require-env';
import { SVIX_SOURCE_IPS } from './svix-source-ips';

/** In an allow-list, stands for every range Svix publishes (./svix-source-ips.ts). */
export const SVIX_SOURCE_IPS_KEYWORD = 'svix';

/**
 * Reads an allow-list of source addresses: `svix`, IPv4 or IPv6 addresses and CIDR ranges,
 * separated by commas or whitespace (`svix, 198.51.100.0/24`). Returns CIDR ranges, `svix`
 * expanded; throws a ConfigurationError naming `source` and the entry it cannot read.
 */
export function parseSourceIpAllowList(value: string, source: string): string[] {
  const entries = splitList(value);
  if (entries.length === 0) {
    throw new ConfigurationError(`${source} names no address; give "${SVIX_SOURCE_IPS_KEYWORD}" or CIDR ranges, or leave it unset to allow any`);
  }
  const ranges = entries.flatMap((entry) =>
    entry.toLowerCase() === SVIX_SOURCE_IPS_KEYWORD
      ? Object.values(SVIX_SOURCE_IPS.regions).flatMap((region) => region.map((range) => toCidr(range, source)))
      : [toCidr(entry, source)],
  );
  return [...new Set(ranges)];
}

function toCidr(entry: string, source: string): string {
  const [address = '', prefix, extra] = entry.split('/');
  const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
  const length = prefix === undefined ? bits : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : -1;
  if (bits === 0 || extra !== undefined || length < 0 || length > bits) {
    throw new ConfigurationError(
      `${source}: "${entry}" is not an IPv4 or IPv6 address or CIDR range (or "${SVIX_SOURCE_IPS_KEYWORD}")`,
    );
  }
  return `${address.toLowerCase()}/${length}`;
}

export interface SourceIpAllowList {
  /** Whether the request's source address (`requestContext.http.sourceIp`) is in the list; an absent or unreadable one is not. */
  allows(sourceIp: string | undefined): boolean;
}

/** Answers this many distinct addresses from memory; Svix sends from a handful. */
const REMEMBERED_ADDRESSES = 1_024;

/**
 * A matcher for CIDR ranges from parseSourceIpAllowList. Node's BlockList does the matching
 * (IPv4, IPv6, IPv4-mapped IPv6) but takes microseconds per lookup, so answers are remembered:
 * the few addresses Svix sends from cost a map lookup. The memory is bounded; a flood from many
 * addresses only clears it.
 */
export function sourceIpAllowList(ranges: readonly string[]): SourceIpAllowList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, length] = range.split('/') as [string, string];
    list.addSubnet(address, Number(length), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  const answers = new Map<string, boolean>();
  return {
    allows(sourceIp) {
      if (sourceIp === undefined) return false;
      let allowed = answers.get(sourceIp);
      if (allowed === undefined) {
        const family = isIPv4(sourceIp) ? 'ipv4' : isIPv6(sourceIp) ? 'ipv6' : undefined;
        allowed = family !== undefined && list.check(sourceIp, family);
        if (answers.size >= REMEMBERED_ADDRESSES) answers.clear();
        answers.set(sourceIp, allowed);
      }
      return allowed;
    },
  };
}
