import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VERIFIER_ENV } from '../lambdas/verifier/verifier-config';
import { type DeployedFunction, lambdaEnvironment, runBundle } from './deployed-functions';
import { clerkBodyOfSize, newSvixId, signDelivery } from './payloads';
import { type Spread, spreadOf } from './stats';
import { httpApiEvent } from './verifier-handler.bench';

/**
 * Cold start, measured from spawning a fresh node process to its first answer, alternating:
 * - ours: the bundled verifier from cdk.out, with the environment the stack gives it
 *   (NODE_OPTIONS included), answering one event: it reads the signing secret (a local
 *   Secrets Manager stub) and queues the event (the SQS emulator), as on its first request in AWS;
 * - express: the Express 5 + svix endpoint of Clerk's guide, listening, then answering one POST;
 * - bare node: `node -e ''`, the part of both that is process start alone;
 * - optionally a variant of ours (bundle-variant.ts: the same bundle with Node's source-map
 *   support turned on, what readable stack traces cost at cold start).
 */

export interface ColdStartOptions {
  readonly verifier: DeployedFunction;
  /** A variant of ours (bundle-variant.ts), measured alongside. */
  readonly variant?: DeployedFunction;
  readonly workDir: string;
  readonly queueUrl: string;
  readonly sqsEndpoint: string;
  readonly secretsManagerEndpoint: string;
  readonly signingSecret: string;
  readonly repetitions: number;
}

export interface ColdStartResult {
  readonly oursMs: Spread;
  readonly expressMs: Spread;
  readonly bareNodeMs: Spread;
  /** Ours over Express, per alternating pair. */
  readonly vsExpress: Spread;
  /** Time the bundle's module scope took to load (require), inside ours. */
  readonly oursLoadMs: Spread;
  /** Ours' first invocation: reading the secret and queueing the event with freshly made SDK clients. */
  readonly oursFirstEventMs: Spread;
  /** Ours' INIT as Lambda bills it: process start to handler loaded, wall time and CPU time. */
  readonly oursInitMs: Spread;
  readonly oursInitCpuMs: Spread;
  /** The variant, if it was measured. */
  readonly variant?: {
    readonly ms: Spread;
    readonly vsExpress: Spread;
    readonly loadMs: Spread;
    readonly firstEventMs: Spread;
    readonly indexBytes: number;
  };
}

const EXPRESS_SERVER = path.join(__dirname, 'express-baseline', 'server.js');

async function oursOnce(
  options: ColdStartOptions,
  run: number,
  verifier = options.verifier,
): Promise<{ ms: number; loadMs: number; firstEventMs: number; initMs: number; initCpuMs: number }> {
  const delivery = signDelivery(options.signingSecret, newSvixId(), clerkBodyOfSize(2048), Date.now());
  const eventsPath = path.join(options.workDir, `cold-start-${run}.json`);
  writeFileSync(eventsPath, JSON.stringify([httpApiEvent(delivery.headers, delivery.body)]));
  const result = await runBundle(
    verifier,
    eventsPath,
    lambdaEnvironment(verifier, {
      [VERIFIER_ENV.queueUrl]: options.queueUrl,
      [VERIFIER_ENV.signingSecretArn]: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:clerk-webhook-signing-secret-AbCdEf',
      // The emulator's queue URLs name their own host; sent elsewhere, the SDK warns on every message.
      AWS_ENDPOINT_URL_SQS: new URL(options.queueUrl).origin,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsManagerEndpoint,
    }),
    (invocation) => invocation.statusCode === 200,
  );
  const first = result.invocations[0]!;
  return {
    ms: result.firstAnswerMs,
    loadMs: first.loadMs ?? Number.NaN,
    firstEventMs: first.ms,
    initMs: first.initMs ?? Number.NaN,
    initCpuMs: first.initCpuMs ?? Number.NaN,
  };
}

function post(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/webhooks', headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function expressOnce(options: ColdStartOptions): Promise<number> {
  const delivery = signDelivery(options.signingSecret, newSvixId(), clerkBodyOfSize(2048), Date.now());
  const started = performance.now();
  const child = spawn(process.execPath, [EXPRESS_SERVER], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SIGNING_SECRET: options.signingSecret, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('close', (code) => reject(new Error(`express baseline exited (${code}) before listening`)));
    });
    const status = await post(port, { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) }, delivery.body);
    const ms = performance.now() - started;
    if (status !== 200) throw new Error(`express baseline answered ${status}`);
    return ms;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function bareNodeOnce(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env: { PATH: process.env.PATH } });
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  return performance.now() - started;
}

export async function benchColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  // One of each first, not counted: the page cache then holds node, the bundle and node_modules for all.
  await oursOnce(options, -1);
  await expressOnce(options);
  const variant = options.variant;
  if (variant) await oursOnce(options, -2, variant);
  const ours: number[] = [];
  const loads: number[] = [];
  const firstEvents: number[] = [];
  const inits: number[] = [];
  const initCpus: number[] = [];
  const variantMs: number[] = [];
  const variantLoads: number[] = [];
  const variantFirstEvents: number[] = [];
  const express: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < options.repetitions; run += 1) {
    const measures: (() => Promise<void>)[] = [
      async () => {
        const { ms, loadMs, firstEventMs, initMs, initCpuMs } = await oursOnce(options, run);
        ours.push(ms);
        loads.push(loadMs);
        firstEvents.push(firstEventMs);
        inits.push(initMs);
        initCpus.push(initCpuMs);
      },
      async () => {
        express.push(await expressOnce(options));
      },
      ...(variant
        ? [
            async () => {
              const { ms, loadMs, firstEventMs } = await oursOnce(options, run, variant);
              variantMs.push(ms);
              variantLoads.push(loadMs);
              variantFirstEvents.push(firstEventMs);
            },
          ]
        : []),
    ];
    // Rotate who goes first, so whatever drifts during a round is shared out.
    for (let turn = 0; turn < measures.length; turn += 1) await measures[(run + turn) % measures.length]!();
    bare.push(await bareNodeOnce());
  }
  const overExpress = (values: number[]): Spread => spreadOf(values.map((value, index) => value / express[index]!));
  return {
    oursMs: spreadOf(ours),
    expressMs: spreadOf(express),
    bareNodeMs: spreadOf(bare),
    vsExpress: overExpress(ours),
    oursLoadMs: spreadOf(loads),
    oursFirstEventMs: spreadOf(firstEvents),
    oursInitMs: spreadOf(inits),
    oursInitCpuMs: spreadOf(initCpus),
    ...(variant
      ? {
          variant: {
            ms: spreadOf(variantMs),
            vsExpress: overExpress(variantMs),
            loadMs: spreadOf(variantLoads),
            firstEventMs: spreadOf(variantFirstEvents),
            indexBytes: variant.indexBytes,
          },
        }
      : {}),
  };
}
