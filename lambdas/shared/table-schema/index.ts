/**
 * The one module that owns the sync table: its keys (keys.ts), its partition queries
 * (queries.ts), the one scan (scans.ts) and its item shapes (items.ts). The CDK table construct, the local pipeline, the
 * processor, the notifier, the reader and the tests all take names, keys and queries from here;
 * the contract itself is in the README, "The table (public contract)".
 */
export * from './items';
export * from './keys';
export * from './queries';
export * from './scans';
