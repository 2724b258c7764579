import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'svix';
import { EVENT_BODY_LIMITS, parseEventBody } from '../lambdas/shared/event-body';
import { signingKeysFor, verifyWebhook } from '../lambdas/verifier/verify-signature';
import { clerkBodyOfSize, newSigningSecret, newSvixId, signDelivery } from './payloads';
import { type Spread, spreadOf } from './stats';
import { opsPerCpuSecond } from './timing';

/**
 * Verification throughput (per CPU-second, on one core), per payload size, for:
 * - ours: `verifyWebhook` (headers, timestamp, HMAC, constant-time compare), what the handler runs;
 * - ours + parse: the same plus `parseEventBody` (bounded, as the handler parses), the same work as svix's `verify`, which
 *   returns the parsed JSON;
 * - svix: `new Webhook(secret).verify(body, headers)` as Clerk's guide calls it (the Webhook built
 *   once, which favours it);
 * - floor: a bare `createHmac` + `timingSafeEqual` against a pre-decoded signature, the least
 *   any correct verifier must do.
 * The four run in turns within each round (order rotated), so drift hits them alike; ratios are
 * taken per round and summarised over rounds.
 */

export const PAYLOAD_SIZES = [512, 2048, 16384] as const;
export type Contender = 'ours' | 'oursWithParse' | 'svix' | 'floor';
const CONTENDERS: readonly Contender[] = ['ours', 'oursWithParse', 'svix', 'floor'];

export interface VerifySizeResult {
  readonly bytes: number;
  /** Verifications per CPU-second. */
  readonly opsPerSecond: Record<Contender, Spread>;
  /** ours+parse over svix: both verify and return the parsed event. */
  readonly vsSvix: Spread;
  /** ours (verification only) over svix (which also parses): the verification path alone. */
  readonly verifyOnlyVsSvix: Spread;
  /** ours over the floor. */
  readonly vsFloor: Spread;
}

export interface VerifyOptions {
  readonly rounds: number;
  /** Measuring time per contender per round. */
  readonly sliceMs: number;
}

export function benchVerification(options: VerifyOptions): VerifySizeResult[] {
  return PAYLOAD_SIZES.map((bytes) => benchSize(bytes, options));
}

function benchSize(bytes: number, { rounds, sliceMs }: VerifyOptions): VerifySizeResult {
  const secret = newSigningSecret();
  const secrets: readonly string[] = Object.freeze([secret]);
  const nowMs = Date.now();
  const delivery = signDelivery(secret, newSvixId(), clerkBodyOfSize(bytes), nowMs);
  const body = Buffer.from(delivery.body, 'utf8');
  const headers = delivery.headers;
  const webhook = new Webhook(secret);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = Buffer.from(headers['svix-signature']!.slice('v1,'.length), 'base64');
  const signedPrefix = `${delivery.svixId}.${delivery.timestamp}.`;

  const run: Record<Contender, () => unknown> = {
    ours: () => verifyWebhook(headers, body, signingKeysFor(secrets), nowMs),
    oursWithParse: () => {
      verifyWebhook(headers, body, signingKeysFor(secrets), nowMs);
      return parseEventBody(body.toString('utf8'), EVENT_BODY_LIMITS);
    },
    // svix reads the clock itself; the delivery was signed moments ago, well within its 5 minutes.
    svix: () => webhook.verify(body, headers),
    floor: () => timingSafeEqual(createHmac('sha256', key).update(signedPrefix).update(body).digest(), expected),
  };
  for (const contender of CONTENDERS) {
    if (!run[contender]()) throw new Error(`${contender} did not verify a valid ${bytes}-byte delivery`);
    opsPerCpuSecond(run[contender], sliceMs); // warm-up: let the JIT settle before anything counts
  }

  const samples: Record<Contender, number[]> = { ours: [], oursWithParse: [], svix: [], floor: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < CONTENDERS.length; turn += 1) {
      const contender = CONTENDERS[(round + turn) % CONTENDERS.length]!;
      samples[contender].push(opsPerCpuSecond(run[contender], sliceMs));
    }
  }
  const ratios = (a: Contender, b: Contender): Spread => spreadOf(samples[a].map((value, i) => value / samples[b][i]!));
  return {
    bytes,
    opsPerSecond: {
      ours: spreadOf(samples.ours),
      oursWithParse: spreadOf(samples.oursWithParse),
      svix: spreadOf(samples.svix),
      floor: spreadOf(samples.floor),
    },
    vsSvix: ratios('oursWithParse', 'svix'),
    verifyOnlyVsSvix: ratios('ours', 'svix'),
    vsFloor: ratios('ours', 'floor'),
  };
}

if (require.main === module) {
  for (const result of benchVerification({ rounds: 25, sliceMs: 40 })) {
    const ops = (c: Contender): string => result.opsPerSecond[c].median.toFixed(0);
    console.log(
      `${result.bytes} B: ours ${ops('ours')}/s, ours+parse ${ops('oursWithParse')}/s, svix ${ops('svix')}/s, floor ${ops('floor')}/s; ` +
        `vs svix ${result.verifyOnlyVsSvix.median.toFixed(2)} (with parse ${result.vsSvix.median.toFixed(2)}), vs floor ${result.vsFloor.median.toFixed(2)}`,
    );
  }
}
