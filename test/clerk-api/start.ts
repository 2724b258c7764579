import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { deliver } from '../../scripts/send';
import { historyArbitrary, type HistoryEvent } from '../support/random-history';
import { startClerkApiServer } from './clerk-api-server';
import { ClerkStore } from './clerk-store';
import { seededHistory } from './seeded-history';

/**
 * A local Clerk, by hand: the Backend API of test/clerk-api serving an instance that already has
 * a history (an established base of --established users, then a random history, seeded, in part),
 * and, with --webhook-url, the rest of that history happening
 * live: each change is made in the store, then sent as a signed webhook, as Clerk does. With
 * --drop-deletions the live deletions happen without their webhook (missed), for `--prune` to
 * find. --history-out writes the whole history, for compare-table.ts.
 *
 *   node --import tsx test/clerk-api/start.ts --port 3990 --users 60 --organizations 8 \
 *     --webhook-url http://127.0.0.1:3101/webhooks/clerk --signing-secret whsec_… --history-out .local/clerk-history.json
 */

interface Options {
  port: number;
  secretKey: string;
  /** Users (a tenth as many organizations, one membership each) that exist before the random history. */
  established: number;
  users: number;
  organizations: number;
  commands: number;
  seed: number;
  /** Share of the history that happened before the stack existed. */
  before: number;
  webhookUrl?: string;
  signingSecret?: string;
  intervalMs: number;
  startAfterMs: number;
  dropDeletions: boolean;
  historyOut?: string;
}

function readOptions(argv: string[]): Options {
  const options: Options = { port: 3990, secretKey: 'sk_test_x', established: 300, users: 60, organizations: 8, commands: 600, seed: 42, before: 0.7, intervalMs: 40, startAfterMs: 3_000, dropDeletions: false };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    const value = () => argv[++index] ?? '';
    switch (flag) {
      case '--port': options.port = Number(value()); break;
      case '--secret-key': options.secretKey = value(); break;
      case '--established': options.established = Number(value()); break;
      case '--users': options.users = Number(value()); break;
      case '--organizations': options.organizations = Number(value()); break;
      case '--commands': options.commands = Number(value()); break;
      case '--seed': options.seed = Number(value()); break;
      case '--before': options.before = Number(value()); break;
      case '--webhook-url': options.webhookUrl = value(); break;
      case '--signing-secret': options.signingSecret = value(); break;
      case '--interval-ms': options.intervalMs = Number(value()); break;
      case '--start-after-ms': options.startAfterMs = Number(value()); break;
      case '--drop-deletions': options.dropDeletions = true; break;
      case '--history-out': options.historyOut = value(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return options;
}

const DELETIONS = new Set(['user.deleted', 'organization.deleted', 'organizationMembership.deleted']);

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const [random] = fc.sample(
    historyArbitrary({ users: options.users, organizations: options.organizations, minCommands: options.commands, maxCommands: options.commands }),
    { seed: options.seed, numRuns: 1 },
  ) as [HistoryEvent[]];
  const base = seededHistory({ users: options.established, organizations: Math.ceil(options.established / 10), tag: 'hand', startAt: 1_716_000_000_000 });
  const history = [...base, ...random];
  const split = base.length + Math.floor(random.length * options.before);
  const store = ClerkStore.after(history, split);
  const server = await startClerkApiServer({ store, secretKey: options.secretKey, port: options.port });
  const live = history.slice(split);
  const dropped = options.dropDeletions ? live.filter(({ event }) => DELETIONS.has(event.type)).map(({ svixId }) => svixId) : [];
  if (options.historyOut !== undefined) writeFileSync(options.historyOut, JSON.stringify({ history, split, dropped }));
  process.stdout.write(
    `clerk-api ready: ${server.url} (${store.users.size} users, ${store.organizations.size} organizations, ${store.memberships.size} memberships; ` +
      `${split} of ${history.length} events happened before; ${live.length} to come${options.webhookUrl === undefined ? ', not sent (no --webhook-url)' : ''})\n`,
  );

  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  if (options.webhookUrl === undefined) return;
  if (options.signingSecret === undefined) throw new Error('--webhook-url needs --signing-secret');
  await new Promise((resolve) => setTimeout(resolve, options.startAfterMs));
  let sent = 0;
  for (const delivery of live) {
    // Clerk changes first, then tells.
    store.apply(delivery.event);
    if (!dropped.includes(delivery.svixId)) {
      const result = await deliver(delivery, options.webhookUrl, options.signingSecret);
      if (result.status === undefined || result.status >= 300) throw new Error(`webhook ${delivery.svixId} answered ${result.status ?? result.error}`);
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  process.stdout.write(`clerk-api: the live part of the history happened: ${sent} webhooks sent, ${dropped.length} deletions without their webhook\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`clerk-api: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
