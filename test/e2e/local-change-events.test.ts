import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChangeEventEnvelope } from '../../lambdas/change-events/change-event';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { createConsoleReporter } from '../../local/console-reporter';
import { generateSigningSecret } from '../../local/local-config';
import { type RunningLocalPipeline, startLocalPipeline } from '../../local/local-pipeline';
import { localEngineEndpoints, uniqueName } from '../support/local-clients';
import { postSignedEvent } from '../support/signed-request';

/**
 * Change events of the local pipeline, in-process on the engines jest's globalSetup started: the
 * events a rule's target would receive, appended to the file, shown on the console and POSTed to
 * a URL that fails before it answers (test/e2e/local-pipeline.test.ts covers the file through
 * `npm start` itself).
 */

const secret = generateSigningSecret();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-change-events-'));
let pipeline: RunningLocalPipeline | undefined;
let server: Server | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const engines = localEngineEndpoints;
const post = (url: string, event: ClerkEventEnvelope): Promise<number> => postSignedEvent(url, secret, event);

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A developer's handler: answers 503 to the first `failures` POSTs, then 200; records what it took. */
async function startHandler(failures: number): Promise<{ url: string; taken: ChangeEventEnvelope[]; attempts: () => number; failAgain: () => void }> {
  const taken: ChangeEventEnvelope[] = [];
  let attempts = 0;
  let failing = failures;
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      attempts += 1;
      if (failing > 0) {
        failing -= 1;
        response.writeHead(503).end();
        return;
      }
      taken.push(JSON.parse(body) as ChangeEventEnvelope);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/events`, taken, attempts: () => attempts, failAgain: () => void (failing = Number.POSITIVE_INFINITY) };
}

it('appends each change event as a rule target receives it, shows it, and POSTs it in order through a failing URL', async () => {
  const handler = await startHandler(2);
  const file = path.join(workDir, 'nested', 'change-events.jsonl');
  const lines: string[] = [];
  const seen: ChangeEventEnvelope[] = [];
  pipeline = await startLocalPipeline({
    port: 0,
    engines: engines(),
    tableName: uniqueName('local-change-events'),
    signingSecrets: [secret],
    reporter: createConsoleReporter((line) => lines.push(line)),
    mail: false,
    changeEvents: { file, url: handler.url, streamPollIntervalMs: 20, urlRetryDelayMs: 20, onEvent: (event) => seen.push(event) },
    pollWaitTimeSeconds: 1,
    logLevel: 'SILENT',
  });
  expect(pipeline.changeEventsFile).toBe(file);
  const tag = randomUUID().slice(0, 8);
  const ids = { userId: `user_2${tag}`, orgId: `org_2${tag}`, membershipId: `orgmem_2${tag}`, sessionId: `sess_2${tag}`, email: `Ada.${tag}@Example.com` };
  const t0 = Date.now();

  // One at a time, each waiting for its events, so the expected order is the order posted.
  const steps: [ClerkEventEnvelope, number][] = [
    [sampleEvent('user.created', { ...ids, at: t0 }), 1],
    [sampleEvent('session.created', { ...ids, at: t0 + 1000 }), 1], // and lastSeenAt raised on the user: no event
    [sampleEvent('organization.created', { ...ids, at: t0 + 2000 }), 1],
    [sampleEvent('organizationMembership.created', { ...ids, at: t0 + 3000 }), 1],
    [sampleEvent('user.created', { ...ids, at: t0 }), 0], // a duplicate: nothing
    [sampleEvent('user.deleted', { ...ids, at: t0 + 4000 }), 3], // the user (its tombstone first), then its session and membership
  ];
  for (const [event, expected] of steps) {
    const before = seen.length;
    expect(await post(pipeline.webhookUrl, event)).toBe(200);
    if (expected === 0) await new Promise((resolve) => setTimeout(resolve, 2500));
    else await until(() => seen.length >= before + expected);
    expect({ type: event.type, events: seen.length - before }).toEqual({ type: event.type, events: expected });
  }

  expect(seen.map((event) => `${event['detail-type']} ${event.detail.id}`)).toEqual([
    `user.created ${ids.userId}`,
    `session.created ${ids.sessionId}`,
    `organization.created ${ids.orgId}`,
    `membership.created ${ids.membershipId}`,
    `user.deleted ${ids.userId}`,
    `session.deleted ${ids.sessionId}`,
    `membership.deleted ${ids.membershipId}`,
  ]);

  // The file holds exactly these, one JSON object a line, in EventBridge's envelope.
  const fromFile = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as ChangeEventEnvelope);
  expect(fromFile).toEqual(seen);
  for (const event of fromFile) {
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event).toMatchObject({ version: '0', source: 'clerk-webhook-sync', account: '000000000000', region: 'us-east-1', resources: [] });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event.detail.entity).toBe(event['detail-type'].split('.')[0]);
    expect(event.detail.change).toBe(event['detail-type'].split('.')[1]);
  }
  expect(new Set(fromFile.map((event) => event.detail.changeId)).size).toBe(fromFile.length);
  const created = fromFile[0]!.detail;
  expect(created.item).toMatchObject({ type: 'user', id: ids.userId, email: ids.email });
  expect(created.item).not.toHaveProperty('lastEventId');
  expect(created.svixId).toMatch(/^msg_/);
  // A deletion carries no personal data.
  expect(fromFile[4]!.detail.item).toEqual({ type: 'user', id: ids.userId, deleted: true, deletedAt: expect.any(String) });

  // The handler got all of them, in order, after its two failures.
  await until(() => handler.taken.length === seen.length);
  expect(handler.taken).toEqual(seen);
  expect(handler.attempts()).toBe(seen.length + 2);
  const console = lines.join('\n');
  expect(console).toMatch(new RegExp(`change event +user\\.created +${ids.userId}$`, 'm'));
  expect(console).toMatch(new RegExp(`not taken by ${handler.url.replace(/[.]/g, '\\.')} \\(HTTP 503\\); retrying`));
  expect(console).toMatch(/taken by .* after 3 attempts/);
  expect(console).not.toContain(ids.email);

  // A handler that stops answering: Ctrl-C says which events it did not get.
  handler.failAgain();
  expect(await post(pipeline.webhookUrl, sampleEvent('organization.updated', { ...ids, at: t0 + 5000 }))).toBe(200);
  await until(() => seen.length === 8);
  await pipeline.stop();
  pipeline = undefined;
  expect(lines.join('\n')).toMatch(new RegExp(`1 change event\\(s\\) not delivered to .*: they are the last 1 line\\(s\\) of ${file.replace(/[.]/g, '\\.')}`));
  expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(8);
});
