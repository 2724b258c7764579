import { randomBytes, randomInt } from 'node:crypto';
import { Webhook } from 'svix';
import type { ClerkEventEnvelope } from '../lambdas/shared/clerk-events';
import { parseSigningSecrets } from '../lambdas/verifier/signing-secrets';
import { SAMPLE_EVENT_TYPES, type SampleIds, sampleEvent } from '../lambdas/shared/sample-events';
import { SIGNING_SECRET_ENV } from '../lib/local-names';
import { failWith, parseFlags, url as checkedUrl, valueFlag } from './cli/args';
import { type CliCommand, type LineIo, runMain } from './cli/run-main';

/**
 * `npm run send -- <event-type|all> [--count N] [--url URL] [--secret whsec_…]`: signs realistic
 * Clerk events the way Svix does and posts them, to try the local pipeline or a deployed stack.
 */

const ALL = 'all';

export const SEND_USAGE = `Usage: npm run send -- <event-type|all> [--count N] [--url URL] [--secret whsec_…]

Signs sample Clerk events as Svix does and POSTs them to the webhook.

  <event-type>    one of: ${SAMPLE_EVENT_TYPES.join(', ')}
                  (the same sample user, session, organization and membership every time,
                  so "user.created" then "user.updated" act on one user)
  all             a coherent history using every type, with fresh ids: a user with sessions
                  ended, removed and revoked, an organization and a membership that stay, and a
                  second user, organization and membership that are deleted
  --count N       send it N times (each time a new Svix message and a later event time)
  --url URL       default http://127.0.0.1:\${PORT:-3000}/webhooks/clerk
  --secret S      signing secret; default \$${SIGNING_SECRET_ENV} (its first entry)
  -h, --help      show this help

Exits non-zero when any delivery is not answered with 2xx.
`;

export class SendUsageError extends Error {}

export interface SendOptions {
  readonly type: string;
  readonly count: number;
  readonly url: string;
  readonly secret: string;
}

export interface Delivery {
  readonly svixId: string;
  readonly event: ClerkEventEnvelope;
}

export interface DeliveryResult {
  readonly delivery: Delivery;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

const SEND_FLAGS = {
  count: valueFlag('--count', (raw, flag, fail) => {
    const count = Number(raw);
    if (!Number.isInteger(count) || count < 1) fail(`${flag} must be a positive integer`);
    return count;
  }),
  // Checked once the default is known: an unusable --url is reported after a missing event type.
  url: valueFlag('--url'),
  secret: valueFlag('--secret'),
};

export function readSendOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SendOptions | 'help' {
  let type: string | undefined;
  const flags = parseFlags(argv, SEND_FLAGS, {
    usageError: SendUsageError,
    unknownOption: (flag) => `unknown option ${flag}; see --help`,
    onArgument: (arg) => {
      if (type !== undefined) throw new SendUsageError(`one event type at a time (got "${type}" and "${arg}")`);
      type = arg;
    },
  });
  if (flags === 'help') return 'help';
  const count = flags.count ?? 1;
  const url = flags.url ?? `http://127.0.0.1:${env.PORT?.trim() || '3000'}/webhooks/clerk`;
  const secret = flags.secret ?? (env[SIGNING_SECRET_ENV]?.trim() || undefined);
  if (type === undefined) throw new SendUsageError(`which event? one of: ${ALL}, ${SAMPLE_EVENT_TYPES.join(', ')}`);
  if (type !== ALL && !SAMPLE_EVENT_TYPES.includes(type)) {
    throw new SendUsageError(`unknown event type "${type}"; one of: ${ALL}, ${SAMPLE_EVENT_TYPES.join(', ')}`);
  }
  if (secret === undefined) {
    throw new SendUsageError(`no signing secret: pass --secret whsec_… or set ${SIGNING_SECRET_ENV} (npm start prints the one it uses)`);
  }
  const [first] = parseSigningSecrets(secret);
  return { type, count, url: checkedUrl(url, '--url', failWith(SendUsageError)), secret: first! };
}

/** The events to send, in order; event times increase by a second from `now`. */
export function buildDeliveries(type: string, count: number, now: number = Date.now()): Delivery[] {
  const deliveries: Delivery[] = [];
  let at = now;
  const next: Next = (eventType, ids) => {
    const eventAt = at;
    deliveries.push({ svixId: newSvixId(), event: sampleEvent(eventType, { ...ids, at: eventAt }) });
    at += 1000;
    return eventAt;
  };
  for (let round = 0; round < count; round += 1) {
    if (type === ALL) coherentHistory(next);
    else next(type, {});
  }
  return deliveries;
}

/** Adds an event with these ids and returns its time, which later events of the same entity keep as `createdAt`. */
type Next = (type: string, ids: SampleIds) => number;

/** Every sample type at least once, in an order Clerk could send them, on fresh ids. */
function coherentHistory(next: Next): void {
  const userId = clerkId('user');
  const email = sampleEmail(['grace.hopper', 'ada.lovelace', 'alan.turing', 'edsger.dijkstra']);
  const user = { userId, email, createdAt: next('user.created', { userId, email }) };
  next('user.updated', user);
  next('session.created', { ...user, sessionId: clerkId('sess'), createdAt: undefined });
  for (const ending of ['session.ended', 'session.removed', 'session.revoked']) {
    const session = { ...user, sessionId: clerkId('sess'), createdAt: undefined };
    next(ending, { ...session, createdAt: next('session.created', session) });
  }
  const orgId = clerkId('org');
  const org = { userId, email, orgId, createdAt: next('organization.created', { userId, email, orgId }) };
  next('organization.updated', org);
  const membership = { ...org, membershipId: clerkId('orgmem'), createdAt: undefined };
  next('organizationMembership.updated', { ...membership, createdAt: next('organizationMembership.created', membership) });
  next('email.created', user);

  // A second user leaves the organization and deletes their account; a second organization is closed.
  const leaver = { userId: clerkId('user'), email: sampleEmail(['barbara.liskov', 'donald.knuth']), orgId, membershipId: clerkId('orgmem') };
  const leaverCreatedAt = next('user.created', leaver);
  const joinedAt = next('organizationMembership.created', { ...leaver, createdAt: undefined });
  next('organizationMembership.deleted', { ...leaver, createdAt: joinedAt });
  next('user.deleted', { ...leaver, createdAt: leaverCreatedAt });
  const closedOrgId = clerkId('org');
  next('organization.deleted', { userId, email, orgId: closedOrgId, createdAt: next('organization.created', { userId, email, orgId: closedOrgId }) });
}

function sampleEmail(names: readonly string[]): string {
  return `${pick(names)}.${randomToken(6).toLowerCase()}@example.com`;
}

/** Signs like Svix: headers svix-id / svix-timestamp / svix-signature over `${id}.${timestamp}.${body}`. */
export function signedRequest(delivery: Delivery, secret: string, sentAt: Date = new Date()): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(delivery.event);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Svix-Webhooks/1.0 (clerk-webhook-sync send)',
      'svix-id': delivery.svixId,
      'svix-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(delivery.svixId, sentAt, body),
    },
  };
}

export async function deliver(delivery: Delivery, url: string, secret: string): Promise<DeliveryResult> {
  const { headers, body } = signedRequest(delivery, secret);
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
    return { delivery, status: response.status, body: await response.text() };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    return { delivery, error: /ECONNREFUSED/.test(message) ? `cannot connect to ${url} (is \`npm start\` running?)` : message };
  }
}

function isSuccess(result: DeliveryResult): boolean {
  return result.status !== undefined && result.status >= 200 && result.status < 300;
}

function describe(result: DeliveryResult): string {
  const what = `${result.delivery.event.type.padEnd(31)} ${result.delivery.svixId}`;
  if (result.error !== undefined) return `failed ${what}: ${result.error}`;
  return isSuccess(result) ? `${result.status}    ${what}` : `${result.status}    ${what}: ${result.body?.trim()}`;
}

function newSvixId(): string {
  return `msg_${randomToken(27)}`;
}

function clerkId(prefix: string): string {
  return `${prefix}_2${randomToken(26)}`;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomToken(length: number): string {
  return Array.from(randomBytes(length), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

function pick<T>(values: readonly T[]): T {
  return values[randomInt(values.length)]!;
}

/** Sends every delivery in order; stops at the first that finds nothing listening. */
export async function sendAll(options: SendOptions, io: LineIo): Promise<number> {
  let failures = 0;
  for (const delivery of buildDeliveries(options.type, options.count)) {
    const result = await deliver(delivery, options.url, options.secret);
    if (!isSuccess(result)) failures += 1;
    io.out(describe(result));
    // Nothing listens: no point trying the rest.
    if (result.error?.startsWith('cannot connect')) return 1;
  }
  if (failures > 0) io.err(`send: ${failures} deliver${failures === 1 ? 'y' : 'ies'} not accepted`);
  return failures > 0 ? 1 : 0;
}

export const SEND_COMMAND: CliCommand<SendOptions, undefined> = {
  name: 'send',
  usage: SEND_USAGE,
  readOptions: readSendOptions,
  clientsFor: () => undefined,
  run: (_clients, options, io) => sendAll(options, io),
};

if (require.main === module) runMain(SEND_COMMAND);
