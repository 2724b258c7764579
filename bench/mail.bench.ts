import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PIPELINE_DEFAULTS } from '../lib/pipeline-defaults';
import type { MailSender } from '../lambdas/notifier/mail-sender';
import type { LedgerEntry } from '../lambdas/shared/mail-ledger-schema';
import type { MailReport, OutcomeReport, PipelineReporter } from '../local/console-reporter';
import { startLocalPipeline } from '../local/local-pipeline';
import { createMailboxMailSender } from '../lambdas/notifier/mailbox-mail-sender';
import { sampleEvent } from '../lambdas/shared/sample-events';
import { newSigningSecret, newSvixId } from './payloads';
import { quantile, type Spread, spreadOf } from './stats';
import { nowMs, seededRandom, sleep } from './timing';
import { postSignedDelivery, TERMINAL_RESULTS } from './webhook-delivery';

/**
 * Welcome mails end to end on the local pipeline (`startLocalPipeline` with the notifier on the
 * table's stream and the real mailbox sender, so every mail is an `.eml` file written, synced
 * and renamed in a temporary directory). N new users; each `user.created` is delivered twice,
 * all deliveries shuffled together and posted signed by concurrent senders (a non-2xx answer is
 * retried, as Svix would).
 * - latency: from the webhook's 200 for a user's first accepted delivery to the notifier
 *   reporting that user's welcome `sent`; split at the processor reporting the event applied;
 * - mails per second: mails sent over the time from the first POST to the last mail;
 * - exactly once: `.eml` files counted per user id (and each addressed to that user), `sent`
 *   welcome items in the ledger, second `sent` outcomes for a user, `already-sent` skips.
 * The local stream source is left at its default poll interval. Under a burst the notifier's
 * queue (one record at a time, one batch at a time, as Lambda runs one batch per shard) decides
 * the latency; a second round posts users one at a time, where the poll interval does.
 */

export interface MailBenchOptions {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly rounds: number;
  readonly users: number;
  readonly senders: number;
  /** Users posted one at a time (both copies, then wait for the mail), after two not counted. */
  readonly unloadedUsers: number;
}

export interface MailRound {
  readonly users: number;
  readonly deliveries: number;
  readonly mailsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Medians of the two parts of the latency: 200 → processor applied, applied → mail sent. */
  readonly acceptedToAppliedP50Ms: number;
  readonly appliedToSentP50Ms: number;
  /** The mailbox sender's `send` (file written, synced, renamed), p50. */
  readonly fileWriteP50Ms: number;
  readonly sentOutcomes: number;
  readonly emlFiles: number;
  readonly usersWithOneFile: number;
  readonly usersWithoutFile: number;
  /** Files beyond the first for a user, plus files for no user of the round. */
  readonly duplicateFiles: number;
  /** Files whose To header is not the user's address. */
  readonly misaddressedFiles: number;
  readonly ledgerSent: number;
  /** `sent` outcomes beyond the first for a user. */
  readonly duplicateSentOutcomes: number;
  readonly alreadySentSkips: number;
  readonly otherSkips: Record<string, number>;
  readonly failedMails: number;
  readonly retriedDeliveries: number;
  readonly problems: number;
  readonly exactlyOnce: boolean;
}

export interface MailBenchResult {
  /** The local stream source's wait between polls of a stream with nothing new (not set by the bench). */
  readonly streamPollIntervalMs: number;
  readonly senders: number;
  readonly rounds: readonly MailRound[];
  /** Users one at a time: latency without a queue in front of the notifier. */
  readonly unloaded: MailRound;
  readonly mailsPerSecond: Spread;
  readonly p50Ms: Spread;
  readonly p95Ms: Spread;
  readonly p99Ms: Spread;
  readonly maxMs: Spread;
  readonly duplicates: number;
  readonly alreadySentSkips: number;
  readonly exactlyOnce: boolean;
}

/**
 * The default of `pollIntervalMs` in local/dynamodb-stream-source.ts, which the pipeline uses
 * when `mail.streamPollIntervalMs` is not given (the bench does not give it). Stated, not set.
 */
export const LOCAL_STREAM_POLL_INTERVAL_MS = 250;

const DRAIN_TIMEOUT_MS = 60_000;
/** After the last mail, a late second mail would show within a few polls of the stream. */
const SETTLE_MS = 4 * LOCAL_STREAM_POLL_INTERVAL_MS + 500;
/** `<time>_welcome_<userId>_<6 hex>.eml` (lambdas/notifier/mailbox-mail-sender.ts); user ids keep their underscores. */
const WELCOME_FILE = /^[^_]+_welcome_(.+)_[0-9a-f]{6}\.eml$/;

interface User {
  readonly userId: string;
  readonly email: string;
  readonly svixId: string;
  readonly body: string;
}

/** Fisher–Yates, with the bench's seeded random. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function newUsers(count: number, round: number): User[] {
  // Created now: an older `created_at` would be a backfill, which is never welcomed.
  const at = Date.now();
  return Array.from({ length: count }, (_, index) => {
    const userId = `user_2bench${round + 1}r${index}${randomBytes(5).toString('hex')}`;
    const email = `bench.user${index}-${userId.slice(-6)}@example.com`;
    return { userId, email, svixId: newSvixId(), body: JSON.stringify(sampleEvent('user.created', { userId, email, at })) };
  });
}

async function readLedger(options: MailBenchOptions, ledgerTableName: string): Promise<LedgerEntry[]> {
  const client = new DynamoDBClient({ endpoint: options.dynamoDbEndpoint, region: options.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const items: LedgerEntry[] = [];
    for await (const page of paginateScan({ client: DynamoDBDocumentClient.from(client) }, { TableName: ledgerTableName, ConsistentRead: true })) {
      items.push(...((page.Items ?? []) as LedgerEntry[]));
    }
    return items;
  } finally {
    client.destroy();
  }
}

type Mode = 'burst' | 'one-at-a-time';

async function round(options: MailBenchOptions, index: number, userCount: number, mode: Mode): Promise<MailRound> {
  const secret = newSigningSecret();
  // One at a time: the first two users warm the path up and are not counted.
  const warmUp = mode === 'one-at-a-time' ? 2 : 0;
  const allUsers = newUsers(userCount + warmUp, index);
  const users = allUsers.slice(warmUp);
  const bySvixId = new Map(allUsers.map((user) => [user.svixId, user]));
  const emailOf = new Map(allUsers.map((user) => [user.userId, user.email]));
  const deliveries =
    mode === 'burst' ? shuffle(users.flatMap((user) => [user, user]), seededRandom(300 + index)) : allUsers.flatMap((user) => [user, user]);

  const acceptedAt = new Map<string, number>();
  const appliedAt = new Map<string, number>();
  const sentAt = new Map<string, number>();
  let terminalOutcomes = 0;
  let duplicateSentOutcomes = 0;
  let alreadySentSkips = 0;
  let failedMails = 0;
  let problems = 0;
  const otherSkips: Record<string, number> = {};
  const fileWrites: number[] = [];
  const reporter: PipelineReporter = {
    received: () => undefined,
    problem: () => void (problems += 1),
    outcome: (report: OutcomeReport) => {
      if (!report.svixId || !TERMINAL_RESULTS.has(report.result)) return;
      terminalOutcomes += 1;
      const user = bySvixId.get(report.svixId);
      if (report.result === 'applied' && user && !appliedAt.has(user.userId)) appliedAt.set(user.userId, nowMs());
    },
    mail: (report: MailReport) => {
      if (report.kind !== 'welcome') return;
      if (report.result === 'sent') {
        if (sentAt.has(report.userId)) duplicateSentOutcomes += 1;
        else sentAt.set(report.userId, nowMs());
      } else if (report.result === 'failed') {
        failedMails += 1;
      } else if (report.reason === 'already-sent') {
        alreadySentSkips += 1;
      } else {
        const reason = report.reason ?? 'unknown';
        otherSkips[reason] = (otherSkips[reason] ?? 0) + 1;
      }
    },
  };

  const mailboxDir = mkdtempSync(path.join(tmpdir(), 'clerk-webhook-bench-mail-'));
  const mailbox = createMailboxMailSender({ directory: mailboxDir });
  // The real mailbox sender, only timed.
  const sender: MailSender = {
    send: async (mail, sendOptions) => {
      const start = nowMs();
      const sent = await mailbox.send(mail, sendOptions);
      fileWrites.push(nowMs() - start);
      return sent;
    },
  };
  const pipeline = await startLocalPipeline({
    port: 0,
    engines: { dynamoDbEndpoint: options.dynamoDbEndpoint, sqsEndpoint: options.sqsEndpoint },
    tableName: `bench-mail-${randomBytes(4).toString('hex')}`,
    signingSecrets: [secret],
    reporter,
    // No streamPollIntervalMs: the local stream source's default is what is measured.
    mail: { sender },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.senders });
  let retriedDeliveries = 0;
  try {
    const url = new URL(pipeline.webhookUrl);
    let next = 0;
    const started = nowMs();
    const deliver = async (user: User): Promise<void> => {
      const retries = await postSignedDelivery(agent, url, secret, user.svixId, user.body);
      retriedDeliveries += retries;
      if (!acceptedAt.has(user.userId)) acceptedAt.set(user.userId, nowMs());
    };
    if (mode === 'burst') {
      const sender = async (): Promise<void> => {
        while (next < deliveries.length) await deliver(deliveries[next++]!);
      };
      await Promise.all(Array.from({ length: options.senders }, sender));
    } else {
      for (const user of allUsers) {
        await deliver(user);
        await deliver(user);
        const deadline = nowMs() + DRAIN_TIMEOUT_MS;
        while (!sentAt.has(user.userId) && nowMs() < deadline) await sleep(5);
      }
    }

    // Every delivery processed and every user mailed, then a few more polls for any second mail.
    const deadline = nowMs() + DRAIN_TIMEOUT_MS;
    while ((terminalOutcomes < deliveries.length || sentAt.size < allUsers.length) && nowMs() < deadline) await sleep(20);
    await sleep(SETTLE_MS);

    const latencies: number[] = [];
    const toApplied: number[] = [];
    const toSent: number[] = [];
    for (const user of users) {
      const accepted = acceptedAt.get(user.userId);
      const applied = appliedAt.get(user.userId);
      const sent = sentAt.get(user.userId);
      if (accepted === undefined || sent === undefined) continue;
      latencies.push(sent - accepted);
      if (applied !== undefined) {
        toApplied.push(applied - accepted);
        toSent.push(sent - applied);
      }
    }
    const lastSent = Math.max(...users.map((user) => sentAt.get(user.userId) ?? 0));

    const filesPerUser = new Map<string, number>();
    let strayFiles = 0;
    let misaddressedFiles = 0;
    const emlFiles = readdirSync(mailboxDir).filter((name) => name.endsWith('.eml'));
    const warmUpIds = new Set(allUsers.slice(0, warmUp).map((user) => user.userId));
    const countedFiles = emlFiles.filter((name) => !warmUpIds.has(WELCOME_FILE.exec(name)?.[1] ?? ''));
    for (const name of countedFiles) {
      const userId = WELCOME_FILE.exec(name)?.[1];
      const email = userId === undefined ? undefined : emailOf.get(userId);
      if (userId === undefined || email === undefined) {
        strayFiles += 1;
        continue;
      }
      filesPerUser.set(userId, (filesPerUser.get(userId) ?? 0) + 1);
      const to = /^To: (.*)$/m.exec(readFileSync(path.join(mailboxDir, name), 'utf8'))?.[1]?.trim();
      if (to === undefined || !to.includes(email)) misaddressedFiles += 1;
    }
    const usersWithOneFile = users.filter((user) => filesPerUser.get(user.userId) === 1).length;
    const duplicateFiles = strayFiles + [...filesPerUser.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const ledger = await readLedger(options, pipeline.ledgerTableName!);
    const counted = ledger.filter((item) => item.kind === 'welcome' && item.status === 'sent' && !warmUpIds.has(item.userId));
    const ledgerSentUsers = new Set(counted.filter((item) => emailOf.has(item.userId)).map((item) => item.userId));
    const ledgerSent = counted.length;
    const countedSent = users.filter((user) => sentAt.has(user.userId)).length;

    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      users: users.length,
      // The counted users' deliveries (not the warm-up's).
      deliveries: users.length * 2,
      mailsPerSecond: countedSent / ((lastSent - started) / 1000),
      latencyMs: {
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
        max: sorted[sorted.length - 1]!,
      },
      acceptedToAppliedP50Ms: quantile(toApplied, 0.5),
      appliedToSentP50Ms: quantile(toSent, 0.5),
      fileWriteP50Ms: quantile(fileWrites, 0.5),
      sentOutcomes: countedSent + duplicateSentOutcomes,
      emlFiles: countedFiles.length,
      usersWithOneFile,
      usersWithoutFile: users.filter((user) => !filesPerUser.has(user.userId)).length,
      duplicateFiles,
      misaddressedFiles,
      ledgerSent,
      duplicateSentOutcomes,
      alreadySentSkips,
      otherSkips,
      failedMails,
      retriedDeliveries,
      problems,
    };
    const exactlyOnce =
      result.emlFiles === users.length &&
      usersWithOneFile === users.length &&
      duplicateFiles === 0 &&
      misaddressedFiles === 0 &&
      ledgerSent === users.length &&
      ledgerSentUsers.size === users.length &&
      duplicateSentOutcomes === 0;
    return { ...result, exactlyOnce };
  } finally {
    agent.destroy();
    await pipeline.stop();
    rmSync(mailboxDir, { recursive: true, force: true });
  }
}

export async function benchMail(options: MailBenchOptions): Promise<MailBenchResult> {
  // One at a time first: its two uncounted users also pay for the notifier's JIT and connections.
  const unloaded = await round(options, -1, options.unloadedUsers, 'one-at-a-time');
  const rounds: MailRound[] = [];
  for (let index = 0; index < options.rounds; index += 1) rounds.push(await round(options, index, options.users, 'burst'));
  const all = [unloaded, ...rounds];
  return {
    streamPollIntervalMs: LOCAL_STREAM_POLL_INTERVAL_MS,
    senders: options.senders,
    rounds,
    unloaded,
    mailsPerSecond: spreadOf(rounds.map((r) => r.mailsPerSecond)),
    p50Ms: spreadOf(rounds.map((r) => r.latencyMs.p50)),
    p95Ms: spreadOf(rounds.map((r) => r.latencyMs.p95)),
    p99Ms: spreadOf(rounds.map((r) => r.latencyMs.p99)),
    maxMs: spreadOf(rounds.map((r) => r.latencyMs.max)),
    duplicates: all.reduce((sum, r) => sum + r.duplicateFiles + r.duplicateSentOutcomes, 0),
    alreadySentSkips: all.reduce((sum, r) => sum + r.alreadySentSkips, 0),
    exactlyOnce: all.every((r) => r.exactlyOnce),
  };
}

/** A median, with the range over rounds when there was more than one. */
function figure(spread: Spread, digits = 0): string {
  const f = (value: number): string => value.toFixed(digits);
  return spread.runs > 1 ? `${f(spread.median)} (${f(spread.min)}–${f(spread.max)})` : f(spread.median);
}

/** The generated section for BENCHMARKS.md, after the others (report.ts renders sections 1–5). */
export function renderMailMarkdown(mail: MailBenchResult): string {
  const over = (pick: (r: MailRound) => number, digits = 0): string => figure(spreadOf(mail.rounds.map(pick)), digits);
  const all = [mail.unloaded, ...mail.rounds];
  const sum = (pick: (r: MailRound) => number): number => all.reduce((total, r) => total + pick(r), 0);
  const burst = mail.rounds[0];
  const u = mail.unloaded;
  return [
    '### 6. Welcome mails (local pipeline, mails written as `.eml` files)',
    '',
    `Local stream poll interval: **${mail.streamPollIntervalMs} ms** (the local stream source's default). Lambda polls the stream`,
    'on its own schedule, not measured here, so these latencies do not carry over to AWS.',
    '',
    '| users | how posted | mails per second | p50 ms | p95 ms | p99 ms | max ms | 200 → applied, p50 ms | applied → sent, p50 ms | file written, p50 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${burst?.users ?? 0} × ${mail.rounds.length} | burst: ${burst?.deliveries ?? 0} deliveries (each twice, shuffled), ${mail.senders} concurrent senders | ` +
      `${figure(mail.mailsPerSecond, 1)} | ${figure(mail.p50Ms)} | ${figure(mail.p95Ms)} | ${figure(mail.p99Ms)} | ${figure(mail.maxMs)} | ` +
      `${over((r) => r.acceptedToAppliedP50Ms)} | ${over((r) => r.appliedToSentP50Ms)} | ${over((r) => r.fileWriteP50Ms, 1)} |`,
    `| ${u.users} | one at a time (both copies, then wait for the mail) | – | ${u.latencyMs.p50.toFixed(0)} | ${u.latencyMs.p95.toFixed(0)} | ` +
      `${u.latencyMs.p99.toFixed(0)} | ${u.latencyMs.max.toFixed(0)} | ${u.acceptedToAppliedP50Ms.toFixed(0)} | ${u.appliedToSentP50Ms.toFixed(0)} | ${u.fileWriteP50Ms.toFixed(1)} |`,
    '',
    `One at a time, the processor's batching window (${PIPELINE_DEFAULTS.maxBatchingWindow.toSeconds()} s, the stack's) is most of "200 → applied", and`,
    '"applied → sent" is the wait for the next stream poll plus the notifier\'s work. Exactly once, over both rows:',
    '',
    '| users | `.eml` files | users with exactly one file | ledger `sent` welcomes | duplicate mails | `already-sent` skips | other skips | failed sends | exactly once |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${sum((r) => r.users)} | ${sum((r) => r.emlFiles)} | ${sum((r) => r.usersWithOneFile)} | ${sum((r) => r.ledgerSent)} | ${mail.duplicates} | ` +
      `${mail.alreadySentSkips} | ${sum((r) => Object.values(r.otherSkips).reduce((a, b) => a + b, 0))} | ${sum((r) => r.failedMails)} | ` +
      `${mail.exactlyOnce ? 'yes' : '**no**'} |`,
  ].join('\n');
}
