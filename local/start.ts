import { SIGNING_SECRET_ENV } from '../lib/local-names';
import { createConsoleReporter } from './console-reporter';
import { type LocalConfig, readLocalCommand, USAGE } from './local-config';
import { type RunningLocalPipeline, startLocalPipeline } from './local-pipeline';

/**
 * `npm start`: the whole pipeline locally, one ready line, one line per event step, and
 * Ctrl-C stops every process it started. Started with an IPC channel (tests fork it), it
 * also sends the ready details as a message, because the console is for people.
 */

export interface ReadyMessage {
  readonly type: 'ready';
  readonly webhookUrl: string;
  readonly healthUrl: string;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly region: string;
  readonly endpoints: RunningLocalPipeline['endpoints'];
  readonly dynamoDbPid: number | undefined;
  /** Where mails are written; undefined with --no-mail. */
  readonly mailboxDir: string | undefined;
  readonly notifierFailureQueueUrl: string | undefined;
}

const PROGRAM = 'clerk-webhook-sync';

async function main(): Promise<void> {
  // The SDK's notice about future Node versions is noise in a local console.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let config: LocalConfig;
  try {
    const command = readLocalCommand(process.argv.slice(2), process.env);
    if (command.kind === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    config = command.config;
  } catch (error) {
    exitWithError(error);
  }

  let pipeline: RunningLocalPipeline | undefined;
  let stopping: Promise<void> | undefined;
  let killJavaOnExit: (() => void) | undefined;
  const shutdown = (): void => {
    if (stopping) {
      // A second Ctrl-C: stop waiting, but still take the Java child down.
      if (pipeline?.dynamoDbPid !== undefined) killQuietly(pipeline.dynamoDbPid);
      process.exit(130);
    }
    // A signal during start-up is handled once start-up has finished (or failed and cleaned up).
    stopping = (async () => {
      await starting.catch(() => undefined);
      if (pipeline) process.stdout.write(`${PROGRAM}: stopping\n`);
      await pipeline?.stop();
      // Stopped cleanly: the pid may not be ours any more.
      if (killJavaOnExit) process.off('exit', killJavaOnExit);
      process.exit(0);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Forked by a test runner that went away: leave nothing behind.
  process.on('disconnect', shutdown);

  const starting = startLocalPipeline({
    port: config.port,
    dynamoDbPort: config.dynamoDbPort,
    sqsPort: config.sqsPort,
    dataDir: config.dataDir,
    tableName: config.tableName,
    signingSecrets: config.signingSecrets,
    logLevel: config.logLevel,
    allowedInstanceIds: config.allowedInstanceIds,
    mail: config.mailboxDir === null ? false : config.mailboxDir === undefined ? {} : { mailboxDir: config.mailboxDir },
    reporter: createConsoleReporter(),
  });
  try {
    pipeline = await starting;
  } catch (error) {
    // Ctrl-C during start-up also reaches DynamoDB Local, which then "fails" to start: not an error.
    if (stopping) return;
    exitWithError(error);
  }
  // Last resort if this process dies without stop(): the Java child must not outlive it.
  const { dynamoDbPid } = pipeline;
  if (dynamoDbPid !== undefined) {
    killJavaOnExit = () => killQuietly(dynamoDbPid);
    process.once('exit', killJavaOnExit);
  }
  if (stopping) return;

  process.stdout.write(`${readyLine(pipeline, config)}\n`);
  const ready: ReadyMessage = {
    type: 'ready',
    webhookUrl: pipeline.webhookUrl,
    healthUrl: pipeline.healthUrl,
    tableName: pipeline.tableName,
    queueUrl: pipeline.queueUrl,
    deadLetterQueueUrl: pipeline.deadLetterQueueUrl,
    region: pipeline.region,
    endpoints: pipeline.endpoints,
    dynamoDbPid: pipeline.dynamoDbPid,
    mailboxDir: pipeline.mailboxDir,
    notifierFailureQueueUrl: pipeline.notifierFailureQueueUrl,
  };
  process.send?.(ready);
}

export function readyLine(pipeline: RunningLocalPipeline, config: LocalConfig): string {
  const secret = config.secretOrigin === 'generated' ? config.signingSecrets[0] : `from ${SIGNING_SECRET_ENV}`;
  const storage = config.dataDir === null ? 'in memory' : `data in ${config.dataDir}`;
  const mail =
    pipeline.ledgerTableName === undefined ? 'mail off' : `mails to ${pipeline.mailboxDir ?? 'a custom sender'}`;
  return (
    `${PROGRAM} ready: POST ${pipeline.webhookUrl}  secret ${secret}  table ${pipeline.tableName} ` +
    `(DynamoDB Local :${portOf(pipeline.endpoints.dynamoDb)} ${storage}, SQS :${portOf(pipeline.endpoints.sqs)})  ${mail}`
  );
}

function portOf(endpoint: string): string {
  return new URL(endpoint).port;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function exitWithError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  // One line: the first line says what is wrong; engine output after it is noise here.
  process.stderr.write(`${PROGRAM}: ${message.split('\n')[0]}\n`);
  process.exit(1);
}

if (require.main === module) {
  void main();
}
