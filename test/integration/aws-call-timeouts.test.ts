import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { NOTIFIER_DEFAULTS } from '../../lambdas/notifier/notifier-config';
import { createNotifierSesClient } from '../../lambdas/notifier/ses-client';
import { createSesMailSender } from '../../lambdas/notifier/ses-mail-sender';
import { PROCESSOR_DEFAULTS } from '../../lambdas/processor/processor-config';
import { RECONCILER_DEFAULTS } from '../../lambdas/reconciler/reconciler-config';
import { ledgerKeys } from '../../lambdas/shared/mail-ledger-schema';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { keys } from '../../lambdas/shared/table-schema';
import { MAIL_DEFAULTS, PIPELINE_DEFAULTS } from '../../lib/pipeline-defaults';
import { redrive, readRedriveOptions } from '../../scripts/redrive';
import { redriveClientsFor } from '../../scripts/redrive/clients';
import { SCRIPT_AWS_CALLS } from '../../scripts/cli/aws-client-config';
import { captureOutput } from '../support/capture-emf';
import { coldStart } from '../support/cold-start';
import { freshIds } from '../support/fresh-ids';
import { NotifierFixture } from '../support/notifier-fixture';
import { sqsEventOf, sqsRecordOf } from '../support/random-history';
import { type HungEndpoint, hungEndpoint } from '../support/hung-endpoint';
import { streamEvent, streamRecord } from '../support/stream-records';
import { lambdaContext } from '../support/lambda-context';

/*
 * Issue 14, item 6: every AWS call of the processor, the notifier, the reconciler and the scripts is bounded.
 * Each client is pointed at a real endpoint that accepts connections and never answers (a local
 * TCP server, not a mock): the call must fail after its bounded attempts, well inside the
 * function's timeout, as a logged failure and a metric, with the record left to be retried.
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const endpoints: HungEndpoint[] = [];
async function silentEndpoint(): Promise<HungEndpoint> {
  const endpoint = await hungEndpoint();
  endpoints.push(endpoint);
  return endpoint;
}
afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

/**
 * The Lambda entry points themselves (index.ts: the clients they build at cold start), their
 * configuration from the environment as the stack sets it, every service pointed at the silent
 * endpoint through the SDK's AWS_ENDPOINT_URL.
 */
describe('the functions\' own clients against a hung endpoint', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  async function entryPoint<T>(module: string, env: Record<string, string>): Promise<{ handler: T; silent: HungEndpoint }> {
    const silent = await silentEndpoint();
    Object.assign(process.env, env, { AWS_ENDPOINT_URL: silent.url });
    const { handler } = coldStart(() => require(module)) as { handler: T };
    return { handler, silent };
  }

  it('processor: a hung DynamoDB fails the record (retried by SQS) after bounded attempts, logged and counted', async () => {
    type Entry = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
    const { handler, silent } = await entryPoint<Entry>('../../lambdas/processor/index', {
      TABLE_NAME: 'clerk-sync',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/events-dlq',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/events',
    });
    const record = sqsRecordOf({ svixId: 'msg_2hung', event: sampleEvent('user.created') });
    const timeoutMs = PIPELINE_DEFAULTS.processorTimeout.toMilliseconds();

    const started = Date.now();
    const { result, logs, emf } = await captureOutput(() => handler(sqsEventOf([record]), lambdaContext('processor', timeoutMs)));
    const elapsed = Date.now() - started;

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(silent.connections()).toBe(PROCESSOR_DEFAULTS.awsCalls.maxAttempts);
    expect(elapsed).toBeLessThan(timeoutMs / 2);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'event failed, SQS will redeliver it', outcome: 'failed', reason: expect.stringMatching(/^TimeoutError: /) }),
    );
    expect(emf).toContainEqual(expect.objectContaining({ EventsFailed: 1 }));
  }, 60_000);

  it('notifier: a hung ledger fails the stream record after bounded attempts, within the lease\'s margin, logged and counted', async () => {
    type Entry = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
    const { handler, silent } = await entryPoint<Entry>('../../lambdas/notifier/index', {
      TABLE_NAME: 'clerk-sync',
      LEDGER_TABLE_NAME: 'clerk-sync-mail-ledger',
      MAIL_FROM: 'welcome@acme.example',
    });
    const ids = freshIds();
    const user = { ...keys.user(ids.userId), type: 'user', id: ids.userId, email: ids.email, emailVerified: true, version: Date.now(), createdAt: new Date().toISOString() };
    const record = streamRecord({ eventName: 'INSERT', newImage: user, sequenceNumber: '100' });

    const started = Date.now();
    const { result, logs, emf } = await captureOutput(() =>
      handler(streamEvent([record]), lambdaContext('notifier', MAIL_DEFAULTS.notifierTimeout.toMilliseconds())),
    );
    const elapsed = Date.now() - started;

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect(silent.connections()).toBe(NOTIFIER_DEFAULTS.awsCalls.maxAttempts);
    // Well inside the claim's lease (notifier-config.test.ts checks the exact budget: within sendMarginMs).
    expect(elapsed).toBeLessThan(NOTIFIER_DEFAULTS.leaseMs);
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'mail failed, the stream record will be retried', reason: expect.stringMatching(/^LedgerWriteError: .*TimeoutError/) }),
    );
    expect(emf).toContainEqual(expect.objectContaining({ MailRecordsFailed: 1 }));
  }, 60_000);

  it('reconciler: a hung DynamoDB ends the invocation with a TimeoutError after bounded attempts, long before its timeout', async () => {
    type Entry = (event: { owner: string }, context: Context) => Promise<unknown>;
    const { handler, silent } = await entryPoint<Entry>('../../lambdas/reconciler/index', {
      TABLE_NAME: 'clerk-sync',
      STATE_TABLE_NAME: 'clerk-sync-reconcile',
      CLERK_SECRET_KEY_SECRET_ID: 'clerk/secret-key',
    });
    const timeoutMs = RECONCILER_DEFAULTS.timeoutSeconds * 1000;

    const started = Date.now();
    // The lease in the state table is its first call; the state machine's alarm counts the failed invocation.
    await expect(captureOutput(() => handler({ owner: 'exec-hung' }, lambdaContext('reconciler', timeoutMs)))).rejects.toThrow(
      new RegExp(`exceeded the configured ${RECONCILER_DEFAULTS.awsCalls.requestTimeoutMs} ms requestTimeout`),
    );
    const elapsed = Date.now() - started;

    expect(silent.connections()).toBe(RECONCILER_DEFAULTS.awsCalls.maxAttempts);
    expect(elapsed).toBeLessThan(RECONCILER_DEFAULTS.stopBeforeTimeoutMs);
  }, 60_000);
});

it.concurrent('notifier: a hung SES fails the send after bounded attempts, before the lease is about to end, and releases the claim', async () => {
  const silent = await silentEndpoint();
  const fixture = await NotifierFixture.create('hung-ses');
  const ids = freshIds();
  const [record] = await fixture.apply(sampleEvent('user.created', { ...ids, at: Date.now() }), [keys.user(ids.userId)]);
  const client = createNotifierSesClient({ endpoint: silent.url, region: 'us-east-1', credentials });
  const notifier = fixture.notifier({
    sender: createSesMailSender({ client, from: 'welcome@acme.example' }),
    now: Date.now,
    remainingTimeMs: () => MAIL_DEFAULTS.notifierTimeout.toMilliseconds(),
  });

  const response = await notifier(streamEvent([record!]));

  expect(response.batchItemFailures).toEqual([{ itemIdentifier: record!.dynamodb!.SequenceNumber }]);
  // The SDK gave up (TimeoutError), not the abort that fires sendMarginMs before the lease ends.
  expect(fixture.outcomes).toEqual([expect.objectContaining({ kind: 'welcome', result: 'failed', reason: 'MailSendError: TimeoutError' })]);
  expect(silent.connections()).toBe(NOTIFIER_DEFAULTS.sesCalls.maxAttempts);
  // The claim was released: the retry claims at once instead of waiting out the lease.
  expect(await fixture.ledgerItem(ledgerKeys.welcome(ids.userId).pk)).toBeUndefined();
  client.destroy();
}, 60_000);

it.concurrent('scripts: npm run redrive against a hung SQS ends with an error after bounded attempts instead of hanging', async () => {
  const silent = await silentEndpoint();
  const options = readRedriveOptions(
    ['--dry-run', '--queue-url', `${silent.url}/000000000000/events`, '--dlq-url', `${silent.url}/000000000000/events-dlq`, '--endpoint', silent.url, '--region', 'us-east-1'],
    { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
  );
  if (options === 'help') throw new Error('unexpected help');
  const sqs = redriveClientsFor(options);
  const lines: string[] = [];
  try {
    await expect(redrive(sqs, options, { out: (line) => lines.push(line), err: (line) => lines.push(line) })).rejects.toThrow(/TimeoutError|timeout/i);
  } finally {
    sqs.destroy();
  }
  expect(silent.connections()).toBe(SCRIPT_AWS_CALLS.maxAttempts);
}, 60_000);
