/**
 * The addresses Svix (which delivers Clerk's webhooks) publishes as the sources of its webhook
 * requests, by Svix region. Data, not logic: when Svix changes them, update this file (and its
 * date) from the sources below; `allowedSourceIps: 'svix'` allows every range listed here, since
 * nothing tells which region delivers a given Clerk instance's webhooks.
 *
 * Svix notes that static source addresses are "not guaranteed for all pricing tiers"; README,
 * "Flooding the endpoint", says how to check that deliveries come from them before relying on
 * the list.
 */
export const SVIX_SOURCE_IPS = {
  sources: [
    // The machine-readable list; in the repository svix/svix-docs as public/webhook-ips.json
    // (last changed 2026-05-20, read at commit a3cf04a of 2026-07-02).
    'https://docs.svix.com/webhook-ips.json',
    // The page that lists it, which also names the India private region.
    'https://docs.svix.com/receiving/source-ips',
  ],
  retrieved: '2026-12-02',
  regions: {
    us: ['44.228.126.217', '50.112.21.217', '52.24.126.164', '54.148.139.208', '2600:1f24:64:8000::/56'],
    'us-east': ['54.164.207.221', '54.90.7.123', '2600:1f28:37:4000::/56'],
    eu: ['52.215.16.239', '54.216.8.72', '63.33.109.123', '2a05:d028:17:8000::/56'],
    au: ['13.239.204.236', '54.66.246.217', '54.252.65.96', '2406:da2c:13:4000::/56'],
    ca: ['52.60.44.49', '3.98.68.230', '3.96.105.27', '2600:1f21:1c:4000::/56'],
    in: ['13.126.41.108', '15.207.218.84', '65.2.133.31'],
  },
} as const;
