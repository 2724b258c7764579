import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClerkSource } from '../../lambdas/reconciler/clerk-source';
import { TokenBucket, SYSTEM_CLOCK } from '../../lambdas/reconciler/token-bucket';
import { createClerkClient } from '@clerk/backend';
import { createTable } from '../../local/create-resources';
import { backfill, backfillClientsFor, type BackfillClients, readBackfillOptions } from '../../scripts/backfill';
import { liveEntities, TEST_SECRET_KEY, useClerkInstance } from '../support/backfill-fixture';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

/*
 * `npm run backfill` as an operator runs it: --local against npm start's table (here the test
 * engines), the summary, a re-run that changes nothing, clear errors, and a run killed mid-way
 * (Ctrl-C, then kill -9) that resumes from its checkpoint file to the same table.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const dynamodb = localDynamoDb();
const documentClient = localDocumentClient(dynamodb);
const sqs = localSqs();
const instance = useClerkInstance({ users: 80, organizations: 5, membershipsPerUser: 1, tag: 'cli' }, { dynamodb, documentClient, sqs });
const ENTITIES = 80 + 5 + 80;
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'backfill-cli-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function environment(tableName: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_PORT: new URL(process.env.DYNAMODB_ENDPOINT!).port,
    CLERK_SECRET_KEY: TEST_SECRET_KEY,
    CLERK_API_URL: instance.server.url,
    ...overrides,
  };
}

/** Runs the command in this process with its output captured; the terminal is not a TTY. */
async function runBackfill(argv: string[], env: NodeJS.ProcessEnv, clients?: (defaults: BackfillClients) => BackfillClients) {
  const options = readBackfillOptions(argv, env);
  if (options === 'help') throw new Error('unexpected help');
  const out: string[] = [];
  const err: string[] = [];
  const defaults = backfillClientsFor(options);
  const progress: string[] = [];
  const base: BackfillClients = { ...defaults, terminal: { isTTY: false, write: (text) => void progress.push(text) } };
  try {
    const code = await backfill(clients ? clients(base) : base, options, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out, err, progress };
  } catch (error) {
    return { code: 1, out, err: [...err, (error as Error).message], progress };
  } finally {
    defaults.dispose?.();
    defaults.dynamoDb.destroy();
  }
}

it('fills the local table, prints a summary, and a second run finds everything unchanged', async () => {
  const tableName = uniqueName('cli');
  await createTable(dynamodb, tableName);
  const checkpoint = path.join(workDir, 'first.json');
  const first = await runBackfill(['--local', '--page-size', '50', '--checkpoint', checkpoint], environment(tableName));
  expect(first.err).toEqual([]);
  expect(first.code).toBe(0);
  expect(first.out[0]).toMatch(/^backfill done \(sweep backfill-.+\): \d+ requests to Clerk in [\d.]+ s this run$/);
  expect(first.out.slice(1)).toEqual([
    expect.stringMatching(new RegExp(`^ {2}listed +${ENTITIES} {2}users, organizations and memberships read from Clerk$`)),
    expect.stringMatching(new RegExp(`^ {2}created +${ENTITIES} `)),
    expect.stringMatching(/^ {2}updated +0 /),
    expect.stringMatching(/^ {2}unchanged +0 /),
    expect.stringMatching(/^ {2}skipped +0 /),
    expect.stringMatching(/^ {2}failed +0 /),
  ]);
  // Plain progress lines (not a terminal): one per phase at least, with the rate.
  expect(first.progress.join('')).toMatch(/^users · \d+ listed · \d+ created · 0 updated · 0 unchanged · \d+\/s/m);
  expect(existsSync(checkpoint)).toBe(false);
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);

  const second = await runBackfill(['--local', '--prune', '--checkpoint', checkpoint], environment(tableName));
  expect(second.code).toBe(0);
  expect(second.out.join('\n')).toMatch(
    new RegExp(`created +0 .*\\n.*updated +0 .*\\n.*unchanged +${ENTITIES} .*\\n.*skipped +0 .*\\n.*pruned +0 {2}deleted: gone from Clerk \\(checked ${ENTITIES}\\)`),
  );
});

it('explains a refused key, an unreachable API and a table that is not the sync table', async () => {
  const tableName = uniqueName('cli-errors');
  await createTable(dynamodb, tableName);
  const refused = await runBackfill(['--local', '--checkpoint', path.join(workDir, 'refused.json')], environment(tableName, { CLERK_SECRET_KEY: 'sk_test_wrong' }));
  expect(refused.code).toBe(1);
  expect(refused.err.at(-1)).toMatch(new RegExp(`^Clerk at ${instance.server.url} refused CLERK_SECRET_KEY \\(HTTP 401\\)`));
  expect(refused.err.join('\n')).not.toContain('sk_test_wrong');

  // Nothing listens there; the retries are shortened for the test.
  const unreachable = await runBackfill(
    ['--local', '--checkpoint', path.join(workDir, 'unreachable.json')],
    environment(tableName, { CLERK_API_URL: 'http://127.0.0.1:9' }),
    (clients) => ({
      ...clients,
      clerk: createClerkSource({
        clerk: createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: 'http://127.0.0.1:9' }),
        limiter: TokenBucket.perSecond(100, SYSTEM_CLOCK),
        clock: SYSTEM_CLOCK,
        retryPolicy: { maxAttempts: 2, maxRateLimitedAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      }),
    }),
  );
  expect(unreachable.code).toBe(1);
  expect(unreachable.err.at(-1)).toMatch(/^Clerk at http:\/\/127\.0\.0\.1:9 is unavailable: GET \/users \(offset 0\): no answer \((unexpected_error: fetch failed|no answer)\) after 2 attempt\(s\)$/);

  const other = uniqueName('not-sync');
  await dynamodb.send(
    new CreateTableCommand({
      TableName: other,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  const wrong = await runBackfill(['--local', '--checkpoint', path.join(workDir, 'wrong.json')], environment(other));
  expect(wrong.err.at(-1)).toBe(`table "${other}" is not a clerk-webhook-sync table: its keys are id/(none) without the gsi1 index, expected pk/sk and gsi1`);
  const missing = await runBackfill(['--local', '--checkpoint', path.join(workDir, 'missing.json')], environment('no-such-table'));
  expect(missing.err.at(-1)).toMatch(/^table "no-such-table" not found in DynamoDB Local \(http:\/\/127\.0\.0\.1:\d+\); is `npm start` running with the same TABLE_NAME\?$/);
});

/** `npm run backfill` as a child process, slowed down so that it can be interrupted mid-way. */
function spawnBackfill(tableName: string, checkpoint: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', '--local', '--rate', '8', '--page-size', '20', '--checkpoint', checkpoint], {
    cwd: ROOT,
    env: environment(tableName),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))), output: () => output };
}

async function untilCheckpoint(file: string, predicate: (checkpoint: { phase: string; counts: { listed: number } }) => boolean): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (existsSync(file)) {
      try {
        if (predicate(JSON.parse(readFileSync(file, 'utf8')))) return;
      } catch {
        // Replaced while read: try again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no checkpoint in ${file} as expected`);
}

it('stops at Ctrl-C with its checkpoint saved, survives kill -9, and resumes to the same table, creating each entity once', async () => {
  const tableName = uniqueName('cli-resume');
  await createTable(dynamodb, tableName);
  const checkpoint = path.join(workDir, 'resume.json');

  const interrupted = spawnBackfill(tableName, checkpoint);
  await untilCheckpoint(checkpoint, ({ counts }) => counts.listed >= 40);
  interrupted.child.kill('SIGINT');
  expect(await interrupted.exited).toBe(130);
  expect(interrupted.output()).toMatch(/progress is saved in .*resume\.json: run the same command again to resume/);
  const afterCtrlC = JSON.parse(readFileSync(checkpoint, 'utf8')) as { phase: string; counts: { created: number } };
  expect(afterCtrlC.counts.created).toBeLessThan(ENTITIES);

  const killed = spawnBackfill(tableName, checkpoint);
  await untilCheckpoint(checkpoint, ({ counts }) => counts.listed >= afterCtrlC.counts.created + 40);
  killed.child.kill('SIGKILL');
  await killed.exited;
  expect(killed.output()).toContain('backfill: resuming sweep backfill-');

  const resumed = await runBackfill(['--local', '--checkpoint', checkpoint], environment(tableName));
  expect(resumed.code).toBe(0);
  expect(resumed.out[0]).toMatch(/^backfill: resuming sweep backfill-/);
  // The counts are the whole sweep's: the pages in flight at the interruptions were not created twice.
  expect(resumed.out.join('\n')).toMatch(new RegExp(`created +${ENTITIES} `));
  expect(await liveEntities(documentClient, tableName)).toEqual(instance.expected);
  expect(existsSync(checkpoint)).toBe(false);
});
