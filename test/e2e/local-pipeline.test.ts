import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'svix';
import { ClerkSyncReader } from '../../client/clerk-sync-reader';
import { NOTIFIER_DEFAULTS } from '../../lambdas/notifier/notifier-config';
import { adminWelcomeMail } from '../../lambdas/notifier/templates/admin-welcome';
import { welcomeMail } from '../../lambdas/notifier/templates/welcome';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { MODELLED_EVENT_TYPES } from '../../lambdas/shared/clerk-events';
import { createTable } from '../../local/create-resources';
import { generateSigningSecret } from '../../local/local-config';
import { sampleEvent, type SampleIds, sampleOrganization, withData } from '../../lambdas/shared/sample-events';
import type { ReadyMessage } from '../../local/start';
import {
  deliveriesArbitrary,
  historyArbitrary,
  historyFeatures,
  type HistoryEvent,
  readComparableTable,
  sqsEventOf,
  sqsRecordOf,
} from '../support/random-history';

/**
 * End to end through `npm start`'s own entry point, run as a separate process on free ports
 * with engines of its own: signed HTTP requests in, items in DynamoDB Local out.
 */

const ROOT = path.resolve(__dirname, '../..');
const TABLE_NAME = 'clerk-sync-e2e';
const secret = generateSigningSecret();
const credentials = { accessKeyId: 'e2e', secretAccessKey: 'e2e' };
const mailboxDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-e2e-mailbox-'));
const changeEventsFile = path.join(mailboxDir, 'change-events.jsonl');

let child: ChildProcess;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let ready: ReadyMessage;
let stdout = '';
let stderr = '';
let dynamoDb: DynamoDBClient;
let documentClient: DynamoDBDocumentClient;
let sqs: SQSClient;
let reader: ClerkSyncReader;

beforeAll(async () => {
  child = fork(path.join(ROOT, 'local/start.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    // A clean environment: nothing from the jest engines leaks in.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SQS_PORT: '0',
      TABLE_NAME,
      CLERK_WEBHOOK_SIGNING_SECRET: secret,
      MAILBOX_DIR: mailboxDir,
      CHANGE_EVENTS_FILE: changeEventsFile,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ReadyMessage));
    void exited.then(({ code }) => reject(new Error(`npm start exited (${code}) before it was ready:\n${stderr}`)));
  });
  dynamoDb = new DynamoDBClient({ endpoint: ready.endpoints.dynamoDb, region: ready.region, credentials });
  documentClient = DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = new SQSClient({ endpoint: ready.endpoints.sqs, region: ready.region, credentials });
  reader = new ClerkSyncReader(documentClient, TABLE_NAME);
}, 60_000);

afterAll(async () => {
  dynamoDb?.destroy();
  sqs?.destroy();
  // Only if a test failed before the stop test: never leave the pipeline or its Java child behind.
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await exited;
  }
  if (ready?.dynamoDbPid !== undefined && isRunning(ready.dynamoDbPid)) process.kill(ready.dynamoDbPid, 'SIGKILL');
  rmSync(mailboxDir, { recursive: true, force: true });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function post(event: ClerkEventEnvelope, svixId: string, signingSecret = secret): Promise<Response> {
  const body = JSON.stringify(event);
  const now = new Date();
  return fetch(ready.webhookUrl, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': svixId,
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new Webhook(signingSecret).sign(svixId, now, body),
    },
  });
}

/** Posts one by one and expects each to be accepted; returns the svix ids. */
async function postAll(events: readonly ClerkEventEnvelope[]): Promise<string[]> {
  const svixIds: string[] = [];
  for (const event of events) {
    const svixId = `msg_${randomUUID()}`;
    const response = await post(event, svixId);
    expect({ type: event.type, status: response.status }).toEqual({ type: event.type, status: 200 });
    svixIds.push(svixId);
  }
  return svixIds;
}

async function queueCounts(queueUrl: string): Promise<number[]> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Object.values(Attributes ?? {}).map(Number);
}

/** Waits until every accepted event has been processed (queued messages are deleted only after that). */
async function settled(): Promise<void> {
  const consoleBefore = stdout.length;
  for (;;) {
    if ((await queueCounts(ready.queueUrl)).every((count) => count === 0)) return;
    // A failed record would only come back after the 180 s visibility timeout: fail now, with the console.
    if (/\bfailed\b/.test(stdout.slice(consoleBefore))) throw new Error(`a record failed:\n${stdout.slice(consoleBefore)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freshIds(): Required<Pick<SampleIds, 'userId' | 'email'>> {
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  return { userId: `user_2${tag}`, email: `Grace.Hopper.${tag}@Example.com` };
}

describe('npm start, end to end', () => {
  it('prints one ready line naming the webhook URL, where the secret comes from, and the table; /healthz is up', async () => {
    const readyLines = stdout.split('\n').filter((line) => line.includes(' ready: '));
    expect(readyLines).toEqual([
      `clerk-webhook-sync ready: POST ${ready.webhookUrl}  secret from CLERK_WEBHOOK_SIGNING_SECRET  table ${TABLE_NAME} ` +
        `(DynamoDB Local :${new URL(ready.endpoints.dynamoDb).port} in memory, SQS :${new URL(ready.endpoints.sqs).port})  mails to ${mailboxDir}  ` +
        `change events to ${changeEventsFile}`,
    ]);
    expect(ready.mailboxDir).toBe(mailboxDir);
    expect(ready.changeEventsFile).toBe(changeEventsFile);
    expect(stdout).not.toContain(secret);
    expect((await fetch(ready.healthUrl)).status).toBe(200);
    expect(ready.dynamoDbPid).toEqual(expect.any(Number));
  });

  it('applies every modelled event type from signed HTTP requests to the table', async () => {
    const ada = freshIds();
    const leaver = freshIds();
    const tag = randomUUID().slice(0, 8);
    const orgId = `org_2${tag}main`;
    const closedOrgId = `org_2${tag}closed`;
    const sessions = [1, 2, 3, 4].map((n) => `sess_2${tag}${n}`);
    const leaverSession = `sess_2${tag}leaver`;
    const membership = { ...ada, orgId, membershipId: `orgmem_2${tag}ada` };
    const leaverMembership = { ...leaver, orgId, membershipId: `orgmem_2${tag}leaver` };
    const closedMembership = { ...ada, orgId: closedOrgId, membershipId: `orgmem_2${tag}closed` };
    const t0 = Date.now() - 60_000;
    const at = (step: number, ids: SampleIds) => ({ ...ids, at: t0 + step * 1000, createdAt: t0 });
    const sent: string[] = [];

    // Creations (and one type the table does not model).
    sent.push(
      ...(await postAll([
        sampleEvent('user.created', at(0, ada)),
        sampleEvent('user.created', at(0, leaver)),
        ...sessions.map((sessionId) => sampleEvent('session.created', at(1, { ...ada, sessionId }))),
        sampleEvent('session.created', at(1, { ...leaver, sessionId: leaverSession })),
        sampleEvent('organization.created', at(0, { ...ada, orgId })),
        sampleEvent('organization.created', at(0, { ...ada, orgId: closedOrgId })),
        sampleEvent('organizationMembership.created', at(2, membership)),
        sampleEvent('organizationMembership.created', at(2, leaverMembership)),
        sampleEvent('organizationMembership.created', at(2, closedMembership)),
        sampleEvent('email.created', at(3, ada)),
      ])),
    );
    await settled();

    expect(await reader.getUser(ada.userId)).toEqual(
      expect.objectContaining({ type: 'user', id: ada.userId, email: ada.email, firstName: 'Grace', lastName: 'Hopper', lastSeenAt: expect.any(String) }),
    );
    expect((await reader.getUserByEmail(ada.email.toUpperCase()))?.id).toBe(ada.userId);
    expect((await reader.listSessions(ada.userId)).map((session) => [session.id, session.status])).toEqual(
      sessions.map((id) => [id, 'active']),
    );
    const slug = sampleOrganization({ orgId }).slug as string;
    expect((await reader.getOrganizationBySlug(slug))?.id).toBe(orgId);
    expect((await reader.listOrganizationMembers(orgId)).map((member) => member.userId).sort()).toEqual([ada.userId, leaver.userId].sort());
    expect((await reader.listUserOrganizations(ada.userId)).map((item) => item.orgId).sort()).toEqual([orgId, closedOrgId].sort());

    // Updates and session ends.
    sent.push(
      ...(await postAll([
        withData(sampleEvent('user.updated', at(10, ada)), { first_name: 'Augusta' }),
        sampleEvent('session.ended', at(11, { ...ada, sessionId: sessions[1]! })),
        sampleEvent('session.removed', at(11, { ...ada, sessionId: sessions[2]! })),
        sampleEvent('session.revoked', at(11, { ...ada, sessionId: sessions[3]! })),
        withData(sampleEvent('organization.updated', at(10, { ...ada, orgId })), { name: 'Acme Renamed' }),
        withData(sampleEvent('organizationMembership.updated', at(12, membership)), { role: 'org:member' }),
      ])),
    );
    await settled();

    expect((await reader.getUser(ada.userId))?.firstName).toBe('Augusta');
    const ended = await reader.listSessions(ada.userId);
    expect(ended.map((session) => [session.id, session.status])).toEqual([
      [sessions[0], 'active'],
      [sessions[1], 'ended'],
      [sessions[2], 'removed'],
      [sessions[3], 'revoked'],
    ]);
    expect(ended.slice(1).every((session) => typeof session.endedAt === 'string')).toBe(true);
    expect((await reader.getOrganization(orgId))?.name).toBe('Acme Renamed');
    const members = await reader.listOrganizationMembers(orgId);
    expect(members.find((member) => member.userId === ada.userId)?.role).toBe('org:member');

    // Deletions.
    sent.push(
      ...(await postAll([
        sampleEvent('organizationMembership.deleted', at(20, leaverMembership)),
        sampleEvent('user.deleted', at(21, leaver)),
        sampleEvent('organization.deleted', at(22, { ...ada, orgId: closedOrgId })),
      ])),
    );
    await settled();

    expect(await reader.getUser(leaver.userId)).toBeUndefined();
    const tombstone = await reader.getUser(leaver.userId, { includeDeleted: true });
    expect(tombstone).toEqual(expect.objectContaining({ id: leaver.userId, deleted: true, deletedAt: expect.any(String) }));
    expect(JSON.stringify(tombstone)).not.toContain(leaver.email);
    expect(await reader.getUserByEmail(leaver.email)).toBeUndefined();
    expect(await reader.listSessions(leaver.userId)).toEqual([]);
    expect((await reader.listOrganizationMembers(orgId)).map((member) => member.userId)).toEqual([ada.userId]);
    expect(await reader.getOrganization(closedOrgId)).toBeUndefined();
    expect(await reader.getOrganization(closedOrgId, { includeDeleted: true })).toEqual(expect.objectContaining({ deleted: true }));
    expect((await reader.listUserOrganizations(ada.userId)).map((item) => item.orgId)).toEqual([orgId]);

    // Every modelled type went through, and the console followed each one without personal data.
    const received = [...stdout.matchAll(/received 200 +(\S+) +(\S+)(.*)$/gm)].map(([, svixId, type, rest]) => ({ svixId, type, rest }));
    for (const type of [...MODELLED_EVENT_TYPES, 'email.created']) expect(received.map((line) => line.type)).toContain(type);
    for (const svixId of sent) {
      const { type, rest } = received.find((line) => line.svixId === svixId)!;
      if (type === 'email.created') {
        // A type the table does not store: the verifier acknowledges it and queues nothing.
        expect(rest).toContain('— not queued: event type not modelled');
        expect(stdout).not.toMatch(new RegExp(`(applied|skipped|ignored)\\S* +${svixId}`));
      } else {
        expect(stdout).toMatch(new RegExp(`(applied|skipped \\((duplicate|stale)\\)) +${svixId}`));
      }
    }
    for (const personal of [ada.email, leaver.email, 'Grace', 'Hopper', 'Augusta']) expect(stdout).not.toContain(personal);
    expect(await queueCounts(ready.deadLetterQueueUrl)).toEqual([0, 0, 0]);
  });

  it('answers 401 to a forged request and writes nothing', async () => {
    const victim = freshIds();
    const forged = await post(sampleEvent('user.created', victim), 'msg_forged_e2e', generateSigningSecret());
    const unsigned = await fetch(ready.webhookUrl, { method: 'POST', body: JSON.stringify(sampleEvent('user.created', victim)) });
    await settled();

    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: expect.stringContaining('no signature matched') });
    expect(unsigned.status).toBe(400);
    expect(await reader.getUser(victim.userId, { includeDeleted: true, consistentRead: true })).toBeUndefined();
    expect(stdout).toMatch(/rejected 401 +msg_forged_e2e/);
    expect(stdout).not.toMatch(/(applied|skipped|ignored|failed)\S* +msg_forged_e2e/);
  });

  it('ends with the same table as in-order delivery, whatever the order and duplicates over HTTP (docs/consistency.md)', async () => {
    let run = 0;
    const scenario = historyArbitrary({ minCommands: 10, maxCommands: 25 }).chain((history) =>
      fc.tuple(fc.constant(history), deliveriesArbitrary(history)),
    );

    await fc.assert(
      fc.asyncProperty(scenario, async ([history, deliveries]) => {
        run += 1;
        // Every history holds each tricky case and every delivery duplicates (by construction): no vacuous run.
        expect(Object.entries(historyFeatures(history)).filter(([, count]) => count === 0)).toEqual([]);
        expect(deliveries.length).toBeGreaterThan(history.length);
        await emptyTable(TABLE_NAME);
        const reference = `clerk-sync-e2e-reference-${run}`;
        await createTable(dynamoDb, reference);
        const inOrder = createProcessorHandler({
          documentClient,
          sqs,
          tableName: reference,
          deadLetterQueueUrl: ready.deadLetterQueueUrl,
          queueUrl: ready.queueUrl,
          now: Date.now,
          logger: new Logger({ serviceName: 'e2e-reference', logLevel: 'ERROR' }),
        });
        for (const event of history) {
          expect((await inOrder(sqsEventOf([sqsRecordOf(event)]))).batchItemFailures).toEqual([]);
        }

        // All at once: the verifier, the queue and five concurrent pollers see them in any order.
        const statuses = await Promise.all(deliveries.map((delivery: HistoryEvent) => post(delivery.event, delivery.svixId).then((response) => response.status)));
        expect(statuses.every((status) => status === 200)).toBe(true);
        await settled();

        expect(await readComparableTable(documentClient, TABLE_NAME)).toEqual(await readComparableTable(documentClient, reference));
      }),
      { numRuns: 4, endOnFailure: true },
    );
    expect(run).toBe(4);
    expect(await queueCounts(ready.deadLetterQueueUrl)).toEqual([0, 0, 0]);
  });

  it('npm run send signs and posts sample events that the pipeline accepts', async () => {
    const execFileAsync = promisify(execFile);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const ok = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/send.ts', 'all', '--url', ready.webhookUrl, '--secret', secret], { cwd: ROOT, env });
    const statusLines = ok.stdout.trim().split('\n');
    expect(statusLines.length).toBeGreaterThanOrEqual(MODELLED_EVENT_TYPES.length + 1);
    expect(statusLines.every((line) => line.startsWith('200 '))).toBe(true);

    const rejected = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'scripts/send.ts', 'user.created', '--url', ready.webhookUrl, '--secret', generateSigningSecret()],
      { cwd: ROOT, env },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(/^401 +user\.created +msg_\S+: \{"error":"no signature matched/);
    await settled();
  });

  it('mails a new user a welcome and a new admin an admin welcome, each as one .eml file announced on the console', async () => {
    const grace = freshIds();
    const tag = randomUUID().slice(0, 8);
    const ids = { ...grace, orgId: `org_2${tag}mail`, membershipId: `orgmem_2${tag}mail`, at: Date.now() };
    await postAll([sampleEvent('organization.created', ids)]);
    await settled();

    // The membership first: when it reaches the table before its user, the user's first appearance sends its admin welcome.
    await postAll([sampleEvent('organizationMembership.created', ids), sampleEvent('user.created', ids)]);
    await settled();
    const mails = await mailsTo(grace.email, 2);

    const appName = NOTIFIER_DEFAULTS.appName;
    const organizationName = sampleOrganization(ids).name as string;
    expect(mails.map((mail) => [mail.kind, mail.to, mail.subject]).sort()).toEqual([
      ['admin-welcome', grace.email, adminWelcomeMail({ appName, organizationName }).subject],
      ['welcome', grace.email, welcomeMail({ appName }).subject],
    ]);
    const welcomeFile = mails.find((mail) => mail.kind === 'welcome')!.file;
    const adminFile = mails.find((mail) => mail.kind === 'admin-welcome')!.file;
    expect(path.basename(welcomeFile)).toContain(grace.userId);
    expect(path.basename(adminFile)).toContain(ids.membershipId);
    // The console line follows the file: the notifier reports a mail once the ledger records it as sent.
    await consoleShows(new RegExp(`mail sent +welcome +${grace.userId} +-> ${escapeRegExp(welcomeFile)}`));
    await consoleShows(new RegExp(`mail sent +admin-welcome +${grace.userId} +${ids.membershipId} +-> ${escapeRegExp(adminFile)}`));
    expect(stdout).not.toContain(grace.email);
    expect(await queueCounts(ready.notifierFailureQueueUrl!)).toEqual([0, 0, 0]);

    // The same stream feeds the change events: the user, the organization and the admin membership, each once.
    await consoleShows(new RegExp(`change event +user\\.created +${grace.userId}$`, 'm'));
    const changeEvents = readFileSync(changeEventsFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { 'detail-type': string; detail: { id: string; item: Record<string, unknown> } });
    const ofThese = changeEvents.filter(({ detail }) => [grace.userId, ids.orgId, ids.membershipId].includes(detail.id));
    expect(ofThese.map((event) => `${event['detail-type']} ${event.detail.id}`).sort()).toEqual(
      [`membership.created ${ids.membershipId}`, `organization.created ${ids.orgId}`, `user.created ${grace.userId}`].sort(),
    );
    expect(ofThese.find(({ detail }) => detail.id === ids.membershipId)!.detail.item).toMatchObject({ role: 'org:admin', userId: grace.userId });
    expect(await queueCounts(ready.changeEventFailureQueueUrl!)).toEqual([0, 0, 0]);
  });

  it('stops every process it started on SIGTERM and exits 0', async () => {
    const pid = ready.dynamoDbPid!;
    expect(isRunning(pid)).toBe(true);
    child.kill('SIGTERM');
    const { code } = await exited;
    expect(code).toBe(0);
    expect(isRunning(pid)).toBe(false);
    await expect(fetch(ready.healthUrl)).rejects.toThrow();
  });
});

interface MailboxMail {
  readonly file: string;
  readonly kind: string;
  readonly to: string;
  readonly subject: string;
}

/** Waits until `count` mails to `address` are in the mailbox (the notifier runs behind the queue), and returns them. */
async function mailsTo(address: string, count: number): Promise<MailboxMail[]> {
  for (;;) {
    const mails = readdirSync(mailboxDir)
      .filter((name) => name.endsWith('.eml'))
      .map((name) => parseMailHeaders(path.join(mailboxDir, name)))
      .filter((mail) => mail.to === address);
    if (mails.length >= count) return mails;
    if (/\bmail failed\b/.test(stdout)) throw new Error(`a mail failed:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the console shows `line` (the test's timeout bounds the wait). */
async function consoleShows(line: RegExp): Promise<void> {
  while (!line.test(stdout)) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(stdout).toMatch(line);
}

function parseMailHeaders(file: string): MailboxMail {
  const raw = readFileSync(file, 'utf8');
  const headers = new Map(
    raw
      .slice(0, raw.indexOf('\r\n\r\n'))
      .replace(/\r\n[ \t]/g, ' ')
      .split('\r\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as const),
  );
  return { file, kind: headers.get('X-Mail-Kind') ?? '', to: headers.get('To') ?? '', subject: headers.get('Subject') ?? '' };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function emptyTable(tableName: string): Promise<void> {
  for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ProjectionExpression: 'pk, sk' })) {
    const keys = page.Items ?? [];
    for (let start = 0; start < keys.length; start += 25) {
      await documentClient.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
  }
}
