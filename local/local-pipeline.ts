import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CHANGE_EVENTS_DEFAULTS, MAIL_DEFAULTS, PIPELINE_DEFAULTS } from '../lib/pipeline-defaults';
import {
  LOCAL_CREDENTIALS,
  LOCAL_DEFAULTS,
  LOCAL_REGION,
  localChangeEventFailureQueueName,
  localEventQueueName,
  localLedgerTableName,
  localNotifierFailureQueueName,
} from '../lib/local-names';
import type { ChangeEventEnvelope } from '../lambdas/change-events/change-event';
import { CHANGE_PUBLISHER_DEFAULTS } from '../lambdas/change-events/change-events-config';
import { createChangeEventsHandler } from '../lambdas/change-events/create-change-events-handler';
import { createNotifierHandler } from '../lambdas/notifier/create-notifier-handler';
import type { MailSender } from '../lambdas/notifier/mail-sender';
import { createMailboxMailSender } from '../lambdas/notifier/mailbox-mail-sender';
import { NOTIFIER_DEFAULTS } from '../lambdas/notifier/notifier-config';
import { createProcessorHandler, type ProcessorDeps } from '../lambdas/processor/create-processor-handler';
import { SERVICE_NAMES } from '../lambdas/shared/metrics-contract';
import type { ClientTimeouts } from '../lambdas/shared/sdk-client-options';
import { createVerifierHandler } from '../lambdas/verifier/create-verifier-handler';
import { staticSecretSource } from '../lambdas/verifier/signing-secrets';
import { createSqsMessageSender } from '../lambdas/verifier/sqs-message-sender';
import { VERIFIER_DEFAULTS } from '../lambdas/verifier/verifier-config';
import { startChangeEventForwarder } from './change-event-forwarder';
import { createChangeEventsSink } from './change-events-sink';
import { describeDiscarded, describeExchange, describeMail, describeOutcome, messageOf, reportUnreported } from './console-lines';
import { type PipelineReporter, SILENT_REPORTER } from './console-reporter';
import { createLedgerTable, createQueues, type CreateQueuesOptions, createTable, latestStreamArn } from './create-resources';
import { startDynamoDbStreamSource } from './dynamodb-stream-source';
import { generateSigningSecret, type LocalLogLevel } from './local-config';
import { type SqsBatchHandler, startSqsEventSource } from './sqs-event-source';
import { type HttpApiHandler, startWebhookServer } from './webhook-server';

/**
 * The whole pipeline on one machine (README, "Run it locally"): the same verifier, processor,
 * notifier and change events publisher code as in Lambda, behind a local HTTP API and local SQS
 * and stream event sources, on DynamoDB Local and an SQS emulator. This file only wires them;
 * what reaches the console is shaped in console-lines.ts. `npm start` is a thin CLI around this; tests start
 * their own instances on port 0.
 */

export const WEBHOOK_ROUTE_KEY = `POST ${PIPELINE_DEFAULTS.webhookPath}` as const;

/** Both attempts fit in the local server's 30 s request timeout. */
const LOCAL_VERIFIER_SQS_TIMEOUTS: ClientTimeouts = { connectionTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxAttempts: 2 };

export type ProcessorHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface LocalPipelineOptions {
  /** Webhook port; 0 picks a free one. Default 3000. */
  readonly port?: number;
  readonly dynamoDbPort?: number;
  readonly sqsPort?: number;
  /** DynamoDB Local keeps its data here; null or absent: in memory. */
  readonly dataDir?: string | null;
  readonly tableName?: string;
  /** Queue name; its DLQ is `<name>-dlq`. Default `<tableName>-events`. */
  readonly queueName?: string;
  /** One or more `whsec_…`; default: a freshly generated one (see `secret` of the result). */
  readonly signingSecrets?: readonly string[];
  /** Clerk instances whose events are queued (the stack's `allowedInstanceIds`); default: any. */
  readonly allowedInstanceIds?: readonly string[];
  /** Level of the functions' Powertools JSON logs. Default WARN. */
  readonly logLevel?: LocalLogLevel;
  readonly reporter?: PipelineReporter;
  /** Overrides of the stack's queue settings (tests use short visibility timeouts). */
  readonly queueSettings?: CreateQueuesOptions;
  /** Use engines that are already running instead of starting (and later stopping) our own. */
  readonly engines?: { readonly dynamoDbEndpoint: string; readonly sqsEndpoint: string };
  /** Wraps the processor's handler, e.g. to inject failures in tests. */
  readonly wrapProcessor?: (processor: ProcessorHandler) => SqsBatchHandler;
  /** Long-poll wait of the event source, seconds. Default 20. */
  readonly pollWaitTimeSeconds?: number;
  /**
   * The notifier on the table's stream (welcome mails). On by default, with mails as `.eml`
   * files in `mailboxDir`; `false`: no notifier, no ledger, no failure queue, and no stream
   * unless change events are on.
   */
  readonly mail?: false | LocalMailOptions;
  /**
   * The change events publisher on the table's stream, its events appended to a JSON lines file
   * (and POSTed to a URL). Off unless given (`npm start` gives it unless --no-change-events).
   */
  readonly changeEvents?: false | LocalChangeEventsOptions;
}

export interface LocalChangeEventsOptions {
  /** Default `.local/change-events.jsonl`, relative to the working directory. Created if missing; appended to. */
  readonly file?: string;
  /** POST each event there as well, in order, retrying until it answers 2xx (local/change-event-forwarder.ts). */
  readonly url?: string;
  /** Each event, as a rule's target receives it, once it is in the file (tests, the bench). */
  readonly onEvent?: (event: ChangeEventEnvelope) => void;
  /** How often the stream is polled when it has nothing new, ms. Default 250. */
  readonly streamPollIntervalMs?: number;
  /** First pause before a failed POST is retried, ms (doubled up to 30 s). Default 1000. */
  readonly urlRetryDelayMs?: number;
}

export interface LocalMailOptions {
  /** Default `.local/mailbox`, relative to the working directory (`npm start` reads MAILBOX_DIR in local-config). Created if missing. */
  readonly mailboxDir?: string;
  /** Replaces the mailbox (tests record or fail mails). */
  readonly sender?: MailSender;
  /** How often the stream is polled when it has nothing new, ms. Default 250. */
  readonly streamPollIntervalMs?: number;
}

export interface RunningLocalPipeline {
  readonly webhookUrl: string;
  readonly healthUrl: string;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly region: string;
  readonly endpoints: { readonly webhook: string; readonly dynamoDb: string; readonly sqs: string };
  /** The DynamoDB Local Java process when this pipeline started it. */
  readonly dynamoDbPid: number | undefined;
  /** Absolute; undefined when mails are off or `mail.sender` replaces the mailbox. */
  readonly mailboxDir: string | undefined;
  /** The mail ledger table; undefined when mails are off. */
  readonly ledgerTableName: string | undefined;
  /** Lambda-format messages of stream batches the notifier gave up on; undefined when mails are off. */
  readonly notifierFailureQueueUrl: string | undefined;
  /** Absolute; undefined when change events are off. */
  readonly changeEventsFile: string | undefined;
  /** Lambda-format messages of stream batches the change events publisher gave up on; undefined when change events are off. */
  readonly changeEventFailureQueueUrl: string | undefined;
  readonly signingSecrets: readonly string[];
  /** The first signing secret: the one to sign test requests with. */
  readonly secret: string;
  /** Stops everything this pipeline started, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

type Stopper = () => Promise<void>;

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<RunningLocalPipeline> {
  const reporter = options.reporter ?? SILENT_REPORTER;
  const tableName = options.tableName ?? LOCAL_DEFAULTS.tableName;
  const queueName = options.queueName ?? localEventQueueName(tableName);
  const secrets = staticSecretSource(options.signingSecrets ?? [generateSigningSecret()]);
  let stopServer: Stopper | undefined;
  const stoppers: Stopper[] = [];
  const stopAll = async (): Promise<void> => {
    // Stop taking requests first, then the rest in reverse order of starting: in-flight batches finish
    // before the clients and the engines under them go.
    const inOrder = [...(stopServer ? [stopServer] : []), ...stoppers.splice(0).reverse()];
    stopServer = undefined;
    for (const stop of inOrder) {
      try {
        await stop();
      } catch (error) {
        reporter.problem(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  let ready = false;
  let handleWebhook: HttpApiHandler | undefined;
  try {
    // The HTTP port first: when it is taken, nothing else has been started yet.
    const server = await startWebhookServer({
      port: options.port ?? LOCAL_DEFAULTS.port,
      routeKey: WEBHOOK_ROUTE_KEY,
      maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
      isReady: () => ready,
      handler: (event) => handleWebhook!(event),
      onRouteResponse: (exchange) => reporter.received(describeExchange(exchange)),
      onHandlerError: (error) => reporter.problem(`verifier crashed: ${messageOf(error)}`),
    });
    stopServer = () => server.stop();

    const engines = await startEngines(options, stoppers);
    const dynamoDb = new DynamoDBClient({ endpoint: engines.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const sqs = new SQSClient({ endpoint: engines.sqsEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    // The verifier's own client, as in Lambda, bounded like the function's but with room for an
    // emulator on a busy machine: there is no Svix here to retry a 503. The emulator's endpoint is
    // given in code, so it goes before the queue URL's host (sqs.<region>.localhost).
    const verifierQueue = createSqsMessageSender({
      endpoint: engines.sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      timeouts: LOCAL_VERIFIER_SQS_TIMEOUTS,
    });
    stoppers.push(async () => {
      dynamoDb.destroy();
      sqs.destroy();
      verifierQueue.destroy();
    });

    const mailOptions = options.mail === false ? undefined : (options.mail ?? {});
    const changeEventsOptions = options.changeEvents === false ? undefined : options.changeEvents;
    const withStream = mailOptions !== undefined || changeEventsOptions !== undefined;
    await createTable(dynamoDb, tableName, { stream: withStream });
    const queues = await createQueues(sqs, queueName, options.queueSettings);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = Attributes!.QueueArn!;

    const logLevel = options.logLevel ?? LOCAL_DEFAULTS.logLevel;
    handleWebhook = createVerifierHandler({
      queue: verifierQueue,
      queueUrl: queues.queueUrl,
      secrets,
      maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
      allowedInstanceIds: options.allowedInstanceIds,
      now: Date.now,
      logger: new Logger({ serviceName: SERVICE_NAMES.verifier, logLevel }),
    });

    const attempts = new Map<string, number>();
    const reported = new Set<string>();
    const processorDeps: ProcessorDeps = {
      documentClient: DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } }),
      sqs,
      tableName,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      queueUrl: queues.queueUrl,
      now: Date.now,
      // As the stack sets it: on only with the change-events feed.
      readParentsFirst: changeEventsOptions !== undefined,
      logger: new Logger({ serviceName: SERVICE_NAMES.processor, logLevel }),
      onOutcome: (outcome) => {
        reported.add(outcome.messageId);
        reporter.outcome(describeOutcome(outcome, attempts.get(outcome.messageId), queues.maxReceiveCount));
      },
    };
    // Lambda's clock for the cascades' time budget: every invocation gets the function's timeout.
    const processor: ProcessorHandler = (event) => {
      const deadline = Date.now() + PIPELINE_DEFAULTS.processorTimeout.toMilliseconds();
      return createProcessorHandler({ ...processorDeps, remainingTimeMs: () => deadline - Date.now() })(event);
    };
    const handler = options.wrapProcessor ? options.wrapProcessor(processor) : processor;

    // The stream's readers start before the SQS event source, so they stop after it: changes of
    // batches still being applied can still be mailed and published.
    const stream = withStream ? await openStream(dynamoDb, tableName, engines.dynamoDbEndpoint) : undefined;
    if (stream) stoppers.push(async () => stream.streams.destroy());
    const reader = stream && { sqs, queueName, logLevel, reporter, stream };
    const mail = reader && mailOptions ? await startNotifier({ ...reader, dynamoDb, tableName, mail: mailOptions }) : undefined;
    if (mail) stoppers.push(() => mail.stop());
    const changeEvents = reader && changeEventsOptions ? await startChangeEvents({ ...reader, changeEvents: changeEventsOptions }) : undefined;
    if (changeEvents) stoppers.push(() => changeEvents.stop());

    const eventSource = startSqsEventSource({
      sqs,
      queueUrl: queues.queueUrl,
      queueArn,
      awsRegion: LOCAL_REGION,
      batchSize: PIPELINE_DEFAULTS.batchSize,
      concurrency: PIPELINE_DEFAULTS.maxConcurrency,
      // Lambda requires the visibility timeout to cover the batching window; short test timeouts get a shorter window.
      maxBatchingWindowMs: Math.min(PIPELINE_DEFAULTS.maxBatchingWindow.toMilliseconds(), (queues.visibilityTimeoutSeconds * 1000) / 4),
      waitTimeSeconds: options.pollWaitTimeSeconds ?? 20,
      handler: async (event) => {
        for (const record of event.Records) attempts.set(record.messageId, Number(record.attributes.ApproximateReceiveCount));
        return handler(event);
      },
      onBatchSettled: (batch) => {
        reportUnreported(batch, reported, reporter, queues.maxReceiveCount);
        for (const record of batch.records) {
          attempts.delete(record.messageId);
          reported.delete(record.messageId);
        }
      },
      onError: (error) => reporter.problem(`SQS: ${messageOf(error)}`),
    });
    stoppers.push(() => eventSource.stop());

    const signingSecrets = await secrets.getSecrets();
    ready = true;
    const webhookUrl = `${server.origin}${WEBHOOK_ROUTE_KEY.split(' ')[1]}`;
    return {
      webhookUrl,
      healthUrl: `${server.origin}/healthz`,
      tableName,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      maxReceiveCount: queues.maxReceiveCount,
      visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
      region: LOCAL_REGION,
      endpoints: { webhook: webhookUrl, dynamoDb: engines.dynamoDbEndpoint, sqs: engines.sqsEndpoint },
      dynamoDbPid: engines.dynamoDbPid,
      mailboxDir: mail?.mailboxDir,
      ledgerTableName: mail?.ledgerTableName,
      notifierFailureQueueUrl: mail?.failureQueueUrl,
      changeEventsFile: changeEvents?.file,
      changeEventFailureQueueUrl: changeEvents?.failureQueueUrl,
      signingSecrets,
      secret: signingSecrets[0]!,
      stop: async () => {
        ready = false;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface RunningNotifier {
  readonly mailboxDir: string | undefined;
  readonly ledgerTableName: string;
  readonly failureQueueUrl: string;
  stop(): Promise<void>;
}

/** The table's stream, read by the notifier and the change events publisher, each with a stream source of its own (as two event source mappings). */
interface OpenStream {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
}

async function openStream(dynamoDb: DynamoDBClient, tableName: string, endpoint: string): Promise<OpenStream> {
  const streamArn = await ensureStream(dynamoDb, tableName);
  return { streams: new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }), streamArn };
}

/** What each reader of the stream is started with. */
interface StreamReaderSetup {
  readonly sqs: SQSClient;
  readonly queueName: string;
  readonly logLevel: LocalLogLevel;
  readonly reporter: PipelineReporter;
  readonly stream: OpenStream;
}

/** The on-failure queue of a stream reader, with the stack's retention. */
async function createFailureQueue(sqs: SQSClient, queueName: string, retention: { toSeconds(): number }): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: { MessageRetentionPeriod: String(retention.toSeconds()) } }));
  return QueueUrl!;
}

interface NotifierSetup extends StreamReaderSetup {
  readonly dynamoDb: DynamoDBClient;
  readonly tableName: string;
  readonly mail: LocalMailOptions;
}

/** The stack's mail feature, locally: ledger, failure queue, and the notifier driven by the table's stream. */
async function startNotifier(setup: NotifierSetup): Promise<RunningNotifier> {
  const { dynamoDb, sqs, tableName, reporter } = setup;
  const ledgerTableName = localLedgerTableName(tableName);
  await createLedgerTable(dynamoDb, ledgerTableName);
  const failureQueueUrl = await createFailureQueue(sqs, localNotifierFailureQueueName(setup.queueName), MAIL_DEFAULTS.failureRetention);

  const mailboxDir = setup.mail.sender
    ? undefined
    : path.resolve(setup.mail.mailboxDir ?? LOCAL_DEFAULTS.mailboxDir);
  if (mailboxDir !== undefined) mkdirSync(mailboxDir, { recursive: true });
  const sender = setup.mail.sender ?? createMailboxMailSender({ directory: mailboxDir! });

  // Lambda's clock for the lease logic: every invocation gets the function's timeout.
  let invocationDeadline = Number.POSITIVE_INFINITY;
  const notifier = createNotifierHandler({
    documentClient: DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    ledgerTableName,
    sender,
    now: Date.now,
    logger: new Logger({ serviceName: SERVICE_NAMES.notifier, logLevel: setup.logLevel }),
    remainingTimeMs: () => invocationDeadline - Date.now(),
    onOutcome: (outcome) => reporter.mail?.(describeMail(outcome, mailboxDir)),
  });
  const source = startDynamoDbStreamSource({
    ...setup.stream,
    awsRegion: LOCAL_REGION,
    handler: (event) => {
      invocationDeadline = Date.now() + NOTIFIER_DEFAULTS.timeoutSeconds * 1000;
      return notifier(event);
    },
    batchSize: NOTIFIER_DEFAULTS.batchSize,
    retryAttempts: NOTIFIER_DEFAULTS.retryAttempts,
    maxRecordAgeSeconds: NOTIFIER_DEFAULTS.maxRecordAgeSeconds,
    ...(setup.mail.streamPollIntervalMs === undefined ? {} : { pollIntervalMs: setup.mail.streamPollIntervalMs }),
    onFailureDestination: { sqs, queueUrl: failureQueueUrl },
    onDiscarded: (discarded) => reporter.problem(describeDiscarded(discarded, failureQueueUrl)),
    onError: (error) => reporter.problem(`notifier stream: ${messageOf(error)}`),
  });
  return {
    mailboxDir,
    ledgerTableName,
    failureQueueUrl,
    stop: () => source.stop(),
  };
}

interface RunningChangeEvents {
  readonly file: string;
  readonly failureQueueUrl: string;
  stop(): Promise<void>;
}

interface ChangeEventsSetup extends StreamReaderSetup {
  readonly changeEvents: LocalChangeEventsOptions;
}

/**
 * The stack's change events, locally: the publisher's own handler on the table's stream, with a
 * file for a bus (local/change-events-sink.ts) and, with a URL, a target that POSTs each event.
 */
async function startChangeEvents(setup: ChangeEventsSetup): Promise<RunningChangeEvents> {
  const { reporter, changeEvents: options } = setup;
  const file = path.resolve(options.file ?? LOCAL_DEFAULTS.changeEventsFile);
  const failureQueueUrl = await createFailureQueue(setup.sqs, localChangeEventFailureQueueName(setup.queueName), CHANGE_EVENTS_DEFAULTS.failureRetention);
  const forwarder =
    options.url === undefined
      ? undefined
      : startChangeEventForwarder({
          url: options.url,
          ...(options.urlRetryDelayMs === undefined ? {} : { retryDelayMs: options.urlRetryDelayMs }),
          onFailing: (event, reason, retryInMs) =>
            reporter.problem(
              `change event ${event['detail-type']} ${event.detail.id} not taken by ${options.url} (${reason}); retrying from ${retryInMs} ms, later events wait (all are in ${file})`,
            ),
          onRecovered: (event, attempts) => reporter.problem(`change event ${event['detail-type']} ${event.detail.id} taken by ${options.url} after ${attempts} attempts`),
        });
  const handler = createChangeEventsHandler({
    publish: createChangeEventsSink({
      file,
      region: LOCAL_REGION,
      onEvent: (event) => {
        reporter.changeEvent?.({ detailType: event['detail-type'], id: event.detail.id, ...(event.detail.changedFields ? { changedFields: event.detail.changedFields } : {}) });
        options.onEvent?.(event);
        forwarder?.enqueue(event);
      },
    }),
    logger: new Logger({ serviceName: SERVICE_NAMES.changeEvents, logLevel: setup.logLevel }),
  });
  const source = startDynamoDbStreamSource({
    ...setup.stream,
    awsRegion: LOCAL_REGION,
    handler,
    batchSize: CHANGE_PUBLISHER_DEFAULTS.batchSize,
    // As the stack: no count limit, a failing record is retried until it is too old.
    retryAttempts: Number.POSITIVE_INFINITY,
    maxRecordAgeSeconds: CHANGE_PUBLISHER_DEFAULTS.maxRecordAgeSeconds,
    functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${SERVICE_NAMES.changeEvents}-local`,
    ...(options.streamPollIntervalMs === undefined ? {} : { pollIntervalMs: options.streamPollIntervalMs }),
    onFailureDestination: { sqs: setup.sqs, queueUrl: failureQueueUrl },
    onDiscarded: (discarded) => reporter.problem(describeDiscarded(discarded, failureQueueUrl, 'change-events')),
    onError: (error) => reporter.problem(`change events stream: ${messageOf(error)}`),
  });
  return {
    file,
    failureQueueUrl,
    stop: async () => {
      await source.stop();
      const undelivered = (await forwarder?.stop()) ?? [];
      if (undelivered.length > 0) {
        reporter.problem(`${undelivered.length} change event(s) not delivered to ${options.url}: they are the last ${undelivered.length} line(s) of ${file}`);
      }
    },
  };
}

/** The stream the notifier and the change events publisher read; a table kept from before they existed (`--data-dir`) gets one. */
async function ensureStream(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const stream = Table?.StreamSpecification;
  if (stream?.StreamEnabled !== true) {
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }),
    );
  } else if (stream.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new Error(
      `table ${tableName} has a ${stream.StreamViewType} stream; the notifier and change events need NEW_AND_OLD_IMAGES (or start with --no-mail --no-change-events)`,
    );
  }
  return latestStreamArn(client, tableName);
}

interface Engines {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoDbPid: number | undefined;
}

async function startEngines(options: LocalPipelineOptions, stoppers: Stopper[]): Promise<Engines> {
  if (options.engines) return { ...options.engines, dynamoDbPid: undefined };
  // engines.mjs is ESM (fauxqs is ESM-only), so it is loaded on demand rather than at import time.
  const { startDynamoDbLocal, startSqsEmulator } = await import('./engines.mjs');
  const dataDir = options.dataDir ?? null;
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  // If the emulator cannot start, DynamoDB Local need not finish starting (Java takes seconds) before it is stopped.
  const cancelDynamoDb = new AbortController();
  const [dynamoDb, sqs] = await Promise.allSettled([
    startDynamoDbLocal({ port: options.dynamoDbPort ?? LOCAL_DEFAULTS.dynamoDbPort, dataDir, signal: cancelDynamoDb.signal }),
    startSqsEmulator({ port: options.sqsPort ?? LOCAL_DEFAULTS.sqsPort, region: LOCAL_REGION }).catch((error: unknown) => {
      cancelDynamoDb.abort();
      throw error;
    }),
  ]);
  if (dynamoDb.status === 'fulfilled') stoppers.push(() => dynamoDb.value.stop());
  if (sqs.status === 'fulfilled') stoppers.push(() => sqs.value.stop());
  if (dynamoDb.status === 'rejected' && !cancelDynamoDb.signal.aborted) throw dynamoDb.reason;
  if (sqs.status === 'rejected') throw sqs.reason;
  if (dynamoDb.status === 'rejected') throw dynamoDb.reason;
  return { dynamoDbEndpoint: dynamoDb.value.endpoint, sqsEndpoint: sqs.value.endpoint, dynamoDbPid: dynamoDb.value.pid };
}
