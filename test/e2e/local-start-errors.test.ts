import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** `npm start` fails with one clear line, a non-zero exit and nothing left running. */

const ROOT = path.resolve(__dirname, '../..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runStart(env: Record<string, string | undefined>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/start.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** Holds a loopback port open for the duration of a test. */
async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    release: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const { port, release } = await occupyPort();
  await release();
  return port;
}

/** DynamoDB Local processes listening on `port`, found through /proc (Linux, where CI runs). */
function dynamoDbLocalProcessesOn(port: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) && args[args.indexOf('-port') + 1] === String(port);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const validSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('npm start failures', () => {
  it('rejects a signing secret that is not a whsec_ value, without echoing it', async () => {
    const run = await runStart({ CLERK_WEBHOOK_SIGNING_SECRET: `${validSecret}, not-a-secret-value`, PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'clerk-webhook-sync: CLERK_WEBHOOK_SIGNING_SECRET: signing secret entry 2 of 2 does not start with whsec_',
    ]);
    expect(run.stderr).not.toContain('not-a-secret-value');
  });

  it('says which port is taken when the webhook port is in use', async () => {
    const taken = await occupyPort();
    try {
      const run = await runStart({ PORT: String(taken.port), DYNAMODB_PORT: '0', SQS_PORT: '0' });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `clerk-webhook-sync: webhook server: port ${taken.port} is already in use; stop what is using it or set PORT to another port`,
      );
    } finally {
      await taken.release();
    }
  });

  it('stops DynamoDB Local it already started when the SQS port turns out to be taken', async () => {
    const taken = await occupyPort();
    const dynamoDbPort = await freePort();
    try {
      const run = await runStart({ PORT: '0', DYNAMODB_PORT: String(dynamoDbPort), SQS_PORT: String(taken.port) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`clerk-webhook-sync: SQS emulator: port ${taken.port} is already in use; stop what is using it or choose another port`);
      expect(dynamoDbLocalProcessesOn(dynamoDbPort)).toEqual([]);
    } finally {
      await taken.release();
    }
  });

  it('says that Java is needed when it is not on the PATH', async () => {
    const run = await runStart({ PATH: '/nonexistent', PORT: '0', DYNAMODB_PORT: '0', SQS_PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^clerk-webhook-sync: DynamoDB Local needs Java 17 or newer on the PATH/);
  });

  it('rejects an unknown argument and explains the options with --help', async () => {
    const unknown = await runStart({}, ['--verbose']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('clerk-webhook-sync: unknown argument "--verbose"; see --help');
    const help = await runStart({}, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--data-dir <dir>');
    expect(help.stdout).toContain('CLERK_WEBHOOK_SIGNING_SECRET');
  });
});
