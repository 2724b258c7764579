import { ConfigurationError } from '../shared/errors';
import { parseSourceIpAllowList, sourceIpAllowList } from './source-ip-allow-list';
import { SVIX_SOURCE_IPS } from './svix-source-ips';

const allRegions = Object.values(SVIX_SOURCE_IPS.regions).flat();

describe('parseSourceIpAllowList', () => {
  it('expands "svix" to every range Svix publishes, as CIDR ranges', () => {
    const ranges = parseSourceIpAllowList('svix', 'allowedSourceIps');
    expect(ranges).toHaveLength(allRegions.length);
    expect(ranges).toContain('44.228.126.217/32');
    expect(ranges).toContain('2600:1f24:64:8000::/56');
  });

  it('reads addresses and ranges of both families, mixed with "svix", and drops repeats', () => {
    expect(parseSourceIpAllowList('198.51.100.7, 203.0.113.0/24  2001:DB8::/32,198.51.100.7/32', 'x')).toEqual([
      '198.51.100.7/32',
      '203.0.113.0/24',
      '2001:db8::/32',
    ]);
    expect(parseSourceIpAllowList('SVIX 127.0.0.1', 'x')).toHaveLength(allRegions.length + 1);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0/8', 'example.com', '10.0.0.0/8/1', '10.0.0.0/', '::1/-1'])('rejects "%s"', (entry) => {
    expect(() => parseSourceIpAllowList(`svix,${entry}`, 'allowedSourceIps')).toThrow(
      new ConfigurationError(`allowedSourceIps: "${entry}" is not an IPv4 or IPv6 address or CIDR range (or "svix")`),
    );
  });

  it('rejects an empty list', () => {
    expect(() => parseSourceIpAllowList(' ,', 'allowedSourceIps')).toThrow(/allowedSourceIps names no address/);
  });
});

describe('sourceIpAllowList', () => {
  const list = sourceIpAllowList(parseSourceIpAllowList('svix, 203.0.113.0/24, 2001:db8:abcd::/48', 'x'));

  it.each([
    ['a published Svix address', '44.228.126.217', true],
    ['an address in a published Svix IPv6 range', '2600:1f24:64:80ff::17', true],
    ['an address just outside that range', '2600:1f24:64:8100::1', false],
    ['an address of a configured IPv4 range', '203.0.113.250', true],
    ['the same address IPv4-mapped', '::ffff:203.0.113.250', true],
    ['an address next to it', '203.0.114.1', false],
    ['an address of a configured IPv6 range, in another spelling', '2001:DB8:ABCD:0:0::9', true],
    ['anything else', '192.0.2.1', false],
    ['no address', undefined, false],
    ['something that is not an address', 'localhost', false],
  ])('%s: %s → %s', (_label, address, allowed) => {
    expect(list.allows(address)).toBe(allowed);
    expect(list.allows(address)).toBe(allowed); // remembered answers agree
  });

  it('keeps answering correctly once its memory of addresses is full', () => {
    for (let i = 0; i < 3_000; i += 1) expect(list.allows(`198.18.${i >> 8}.${i & 255}`)).toBe(false);
    expect(list.allows('44.228.126.217')).toBe(true);
  });
});
