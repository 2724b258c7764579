import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { createProcessorHandler } from '../../lambdas/processor/create-processor-handler';
import { sendToDeadLetterQueue } from '../../lambdas/processor/dead-letter';
import type { RecordOutcome } from '../../lambdas/processor/record-outcome';
import type { QueuedEvent } from '../../lambdas/shared/queued-event';
import { createQueues, createTable } from '../../local/create-resources';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { formatAge } from '../../scripts/cli/format';
import {
  readRedriveOptions,
  redrive,
  type RedriveOptions,
  RedriveUsageError,
} from '../../scripts/redrive';
import { redriveClientsFor } from '../../scripts/redrive/clients';
import { localDocumentClient, localDynamoDb, localSqs, uniqueName } from '../support/local-clients';

const ROOT = path.resolve(__dirname, '..', '..');
const AWS_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ClerkWebhookSync-Events';
const AWS_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ClerkWebhookSync-EventsDlq';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/ClerkWebhookSync-RedriveRole1A2B3C4D';

describe('redrive options', () => {
  const usageError = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      readRedriveOptions(argv, env);
    } catch (error) {
      expect(error).toBeInstanceOf(RedriveUsageError);
      return (error as Error).message;
    }
    throw new Error('expected a usage error');
  };

  it('finds the local pipeline\'s queues by the names npm start gives them', () => {
    expect(readRedriveOptions(['--local', '--dry-run'], {})).toEqual({
      dryRun: true,
      local: true,
      copy: false,
      wait: true,
      max: undefined,
      maxRate: undefined,
      endpoint: 'http://127.0.0.1:9324',
      region: 'us-east-1',
      queue: { name: 'clerk-sync-events' },
      deadLetterQueue: { name: 'clerk-sync-events-dlq' },
    });
    expect(readRedriveOptions(['--local'], { SQS_PORT: '19324', TABLE_NAME: 'my.table' })).toMatchObject({
      endpoint: 'http://127.0.0.1:19324',
      queue: { name: 'my-table-events' },
      deadLetterQueue: { name: 'my-table-events-dlq' },
    });
  });

  it('takes AWS queue URLs from the flags or the environment, and the region from the URL', () => {
    expect(readRedriveOptions(['--queue-url', AWS_QUEUE, `--dlq-url=${AWS_DLQ}`, '--max-rate', '50'], {})).toMatchObject({
      local: false,
      region: 'eu-west-1',
      queue: { url: AWS_QUEUE },
      deadLetterQueue: { url: AWS_DLQ },
      maxRate: 50,
    });
    expect(
      readRedriveOptions(['--max', '3'], { QUEUE_URL: AWS_QUEUE, DEAD_LETTER_QUEUE_URL: AWS_DLQ, AWS_REGION: 'us-east-2' }),
    ).toMatchObject({ region: 'us-east-2', max: 3, queue: { url: AWS_QUEUE } });
    expect(readRedriveOptions(['--help', '--bogus'], {})).toBe('help');
  });

  it('explains what is wrong', () => {
    expect(usageError([])).toBe(
      'which queues? missing --queue-url (or QUEUE_URL) and --dlq-url (or DEAD_LETTER_QUEUE_URL): the stack outputs QueueUrl and DeadLetterQueueUrl; --local for npm start',
    );
    expect(usageError(['--dlq-url', AWS_DLQ])).toMatch(/^which queues\? missing --queue-url \(or QUEUE_URL\):/);
    expect(usageError(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_QUEUE])).toBe('--queue-url and --dlq-url name the same queue');
    expect(usageError(['--local', '--queue-url', AWS_QUEUE])).toBe('--local finds the local queues by name; leave out --queue-url and --dlq-url');
    expect(usageError(['--local', '--max', '0'])).toBe('--max must be an integer from 1 to 9007199254740991, got "0"');
    expect(usageError(['--local', '--max-rate', '501'])).toBe('--max-rate must be an integer from 1 to 500, got "501"');
    expect(usageError(['--local', '--max'])).toBe('--max needs a value');
    expect(usageError(['--queue-url', 'not a url'])).toBe('--queue-url "not a url" is not a URL');
    expect(usageError(['--local', '--force'])).toBe('unknown option "--force"; see --help');
    expect(usageError(['--local', 'now'])).toBe('unknown argument "now"; see --help');
    expect(usageError(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_DLQ, '--role-arn', 'RedriveRole'])).toBe(
      '--role-arn "RedriveRole" is not the ARN of an IAM role',
    );
    expect(usageError(['--local', '--role-arn', ROLE_ARN])).toBe('--local needs no role; leave out --role-arn');
  });

  it('takes the redrive role from --role-arn or REDRIVE_ROLE_ARN', () => {
    expect(readRedriveOptions(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_DLQ, '--role-arn', ROLE_ARN], {})).toMatchObject({ roleArn: ROLE_ARN });
    expect(readRedriveOptions(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_DLQ], { REDRIVE_ROLE_ARN: ROLE_ARN })).toMatchObject({ roleArn: ROLE_ARN });
    expect(readRedriveOptions(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_DLQ], {})).not.toHaveProperty('roleArn');
  });

  it('prints ages an operator can read', () => {
    expect([45_000, 12 * 60_000, 5 * 3_600_000 + 7 * 60_000, 3 * 86_400_000 + 4 * 3_600_000].map(formatAge)).toEqual([
      '45s',
      '12m',
      '5h07m',
      '3d4h',
    ]);
  });
});

/** What the DLQ holds in practice: one message the processor dead-lettered itself, two SQS moved after maxReceiveCount. */
function queued(svixId: string, userId: string): QueuedEvent {
  return {
    version: 1,
    svixId,
    svixTimestamp: Math.floor(Date.now() / 1000),
    receivedAt: new Date().toISOString(),
    event: sampleEvent('user.created', { userId, email: `${userId}@example.com` }),
  };
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

const DEAD_LETTERS: Array<{ body: string; attributes: Record<string, MessageAttributeValue> }> = [
  {
    body: JSON.stringify(queued('msg_redrive_a', 'user_2redrivea')),
    attributes: {
      svixId: text('msg_redrive_a'),
      eventType: text('user.created'),
      errorReason: text('ValidationException: Item size has exceeded the maximum allowed size'),
      sourceMessageId: text('0f1e2d3c-0000-4000-8000-000000000001'),
    },
  },
  {
    body: JSON.stringify(queued('msg_redrive_b', 'user_2redriveb')),
    attributes: { svixId: text('msg_redrive_b'), eventType: text('user.created') },
  },
  {
    body: JSON.stringify(queued('msg_redrive_c', 'user_2redrivec')),
    attributes: { svixId: text('msg_redrive_c'), eventType: text('user.created'), attempt: { DataType: 'Number', StringValue: '5' } },
  },
];

interface LocalQueues {
  readonly name: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

async function queuesWithDeadLetters(sqs: SQSClient): Promise<LocalQueues> {
  const tableName = uniqueName('redrive');
  const name = `${tableName}-events`;
  const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, name);
  for (const letter of DEAD_LETTERS) {
    await sqs.send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl, MessageBody: letter.body, MessageAttributes: letter.attributes }));
  }
  return { name: tableName, queueUrl, deadLetterQueueUrl };
}

async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

const comparable = (messages: readonly Message[]) =>
  messages
    .map((message) => ({ body: message.Body, attributes: message.MessageAttributes }))
    .sort((a, b) => (a.body! < b.body! ? -1 : 1));
const expectedLetters = () =>
  DEAD_LETTERS.map((letter) => ({ body: letter.body, attributes: letter.attributes })).sort((a, b) => (a.body < b.body ? -1 : 1));

function localOptions(queues: LocalQueues, overrides: Partial<RedriveOptions> = {}): RedriveOptions {
  const options = readRedriveOptions(['--local'], { TABLE_NAME: queues.name, SQS_PORT: new URL(process.env.SQS_ENDPOINT!).port });
  if (options === 'help') throw new Error('unexpected help');
  return { ...options, ...overrides };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), waitTimeSeconds: 0 } };
}

describe('redrive against the SQS emulator', () => {
  const sqs = localSqs();

  it('--dry-run lists every message with its ids and reason, moves nothing, and leaves them visible', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const { out, err, io: streams } = io();

    expect(await redrive(sqs, localOptions(queues, { dryRun: true }), streams)).toBe(0);

    expect(err).toEqual([]);
    expect(out[0]).toMatch(/^messageId +svixId +eventType +receives +age +errorReason$/);
    expect(out.slice(1, 4).map((line) => line.split(/\s{2,}/).slice(1))).toEqual(
      expect.arrayContaining([
        ['msg_redrive_a', 'user.created', '1', expect.stringMatching(/^\d+s$/), 'ValidationException: Item size has exceeded the maximum allowed size'],
        ['msg_redrive_b', 'user.created', '1', expect.stringMatching(/^\d+s$/), '(retries used up)'],
        ['msg_redrive_c', 'user.created', '1', expect.stringMatching(/^\d+s$/), '(retries used up)'],
      ]),
    );
    expect(out[4]).toBe(`3 message(s) in ${queues.deadLetterQueueUrl}; dry run, nothing moved (they are visible again).`);
    expect(out.join('\n')).not.toContain('@example.com');
    // Visible again at once, untouched, and nothing reached the queue.
    expect(comparable(await drain(sqs, queues.deadLetterQueueUrl))).toEqual(expectedLetters());
    expect(await drain(sqs, queues.queueUrl)).toEqual([]);
  });

  it('moves every message with its body and attributes intact (message by message: the emulator has no move tasks), and the processor then applies them', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const { out, err, io: streams } = io();

    expect(await redrive(sqs, localOptions(queues), streams)).toBe(0);

    expect(err).toEqual([]);
    expect(out[0]).toBe('this endpoint has no SQS message move tasks (InvalidAction: Unknown action: StartMessageMoveTask); moving message by message');
    expect(out.filter((line) => line.startsWith('moved ') && line.includes('msg_redrive_'))).toHaveLength(3);
    expect(out.at(-1)).toBe(`moved 3 message(s) from ${queues.deadLetterQueueUrl} to ${queues.queueUrl}`);
    expect(await drain(sqs, queues.deadLetterQueueUrl)).toEqual([]);
    const requeued = await drain(sqs, queues.queueUrl);
    expect(comparable(requeued)).toEqual(expectedLetters());

    const tableName = uniqueName('redrive-table');
    await createTable(localDynamoDb(), tableName);
    const outcomes: RecordOutcome[] = [];
    const response = await createProcessorHandler({
      documentClient: localDocumentClient(),
      sqs,
      tableName,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      queueUrl: queues.queueUrl,
      now: Date.now,
      logger: new Logger({ logLevel: 'SILENT' }),
      onOutcome: (outcome) => outcomes.push(outcome),
    })({
      Records: requeued.map((message) => ({
        messageId: message.MessageId!,
        receiptHandle: message.ReceiptHandle!,
        body: message.Body!,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody!,
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
        awsRegion: 'us-east-1',
      })),
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['applied', 'applied', 'applied']);
  });

  it('--max moves only that many', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const { out, io: streams } = io();
    expect(await redrive(sqs, localOptions(queues, { max: 2 }), streams)).toBe(0);
    expect(out.at(-1)).toBe(`moved 2 message(s) from ${queues.deadLetterQueueUrl} to ${queues.queueUrl}`);
    expect(await drain(sqs, queues.queueUrl)).toHaveLength(2);
    expect(await drain(sqs, queues.deadLetterQueueUrl)).toHaveLength(1);
  });

  it('leaves a message whose send fails in the DLQ, visible, and exits 1', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const failing = localSqs();
    const realSend = failing.send.bind(failing) as (command: unknown) => Promise<unknown>;
    const mock = mockClient(failing);
    const fake = async (command: unknown) => {
      if (command instanceof SendMessageCommand) throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      return realSend(command);
    };
    mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
    const { out, err, io: streams } = io();

    let code: number;
    try {
      code = await redrive(failing, localOptions(queues), streams);
    } finally {
      mock.restore();
    }

    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(
        /^redrive: sending \S+ msg_redrive_[abc] user\.created to the queue failed \(ServiceUnavailable: Service Unavailable\); it and the rest stay in the DLQ$/,
      ),
    ]);
    expect(out.at(-1)).toBe(`moved 0 message(s) from ${queues.deadLetterQueueUrl} to ${queues.queueUrl}`);
    expect(comparable(await drain(sqs, queues.deadLetterQueueUrl))).toEqual(expectedLetters());
    expect(await drain(sqs, queues.queueUrl)).toEqual([]);
  });

  it('leaves a message that is dead-lettered again during the run in the DLQ, instead of moving it round and round', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const rejecting = localSqs();
    const realSend = rejecting.send.bind(rejecting) as (command: unknown) => Promise<unknown>;
    const mock = mockClient(rejecting);
    let sendsOfA = 0;
    const fake = async (command: unknown) => {
      const result = await realSend(command);
      // A running processor rejects msg_redrive_a again within milliseconds, as it does a permanent failure
      // (bounded, so that a redrive that keeps moving it ends and fails the assertion below).
      if (command instanceof SendMessageCommand && command.input.QueueUrl === queues.queueUrl && command.input.MessageBody!.includes('msg_redrive_a')) {
        sendsOfA += 1;
        if (sendsOfA <= 5) {
          const record = { messageId: (result as { MessageId: string }).MessageId, body: command.input.MessageBody! } as SQSRecord;
          await sendToDeadLetterQueue(sqs, queues.deadLetterQueueUrl, record, { reason: 'ValidationException: still too large', svixId: 'msg_redrive_a', eventType: 'user.created' });
        }
      }
      return result;
    };
    mock.send.callsFake(fake as Parameters<typeof mock.send.callsFake>[0]);
    const { out, err, io: streams } = io();

    let code: number;
    try {
      code = await redrive(rejecting, localOptions(queues), streams);
    } finally {
      mock.restore();
    }

    expect(code).toBe(0);
    expect(sendsOfA).toBe(1);
    expect(out.at(-1)).toBe(`moved 3 message(s) from ${queues.deadLetterQueueUrl} to ${queues.queueUrl}`);
    expect(err).toEqual([
      expect.stringMatching(/^redrive: \S+ msg_redrive_a user\.created failed again and is back in the DLQ \(ValidationException: still too large\); left there$/),
    ]);
    // Visible again right away, for the next triage.
    const left = await drain(sqs, queues.deadLetterQueueUrl);
    expect(left.map((message) => message.MessageAttributes?.svixId?.StringValue)).toEqual(['msg_redrive_a']);
    expect(comparable(await drain(sqs, queues.queueUrl))).toEqual(expectedLetters());
  });

  it('says so when the DLQ is empty', async () => {
    const { queueUrl, deadLetterQueueUrl } = await createQueues(sqs, `${uniqueName('redrive-empty')}-events`);
    const { out, io: streams } = io();
    const options = readRedriveOptions(['--queue-url', queueUrl, '--dlq-url', deadLetterQueueUrl], {});
    expect(await redrive(sqs, options as RedriveOptions, streams)).toBe(0);
    expect(out).toEqual([`${deadLetterQueueUrl} is empty; nothing to move.`]);
  });

  it('npm run redrive -- --local --dry-run lists the local DLQ', async () => {
    const queues = await queuesWithDeadLetters(sqs);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', '--local', '--dry-run'], {
      cwd: ROOT,
      env: { ...process.env, TABLE_NAME: queues.name, SQS_PORT: new URL(process.env.SQS_ENDPOINT!).port },
    });
    expect(stdout).toContain('msg_redrive_a');
    expect(stdout).toContain(`3 message(s) in ${queues.deadLetterQueueUrl}; dry run, nothing moved`);
    expect(await drain(sqs, queues.deadLetterQueueUrl)).toHaveLength(3);
  });
});

describe('redrive on AWS: the SQS message move task', () => {
  const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:ClerkWebhookSync-Events';
  const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:ClerkWebhookSync-EventsDlq';

  function awsMock() {
    const sqs = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(sqs);
    mock.on(GetQueueAttributesCommand, { QueueUrl: AWS_QUEUE }).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
    mock
      .on(GetQueueAttributesCommand, { QueueUrl: AWS_DLQ })
      .resolves({ Attributes: { QueueArn: DLQ_ARN, ApproximateNumberOfMessages: '42', ApproximateNumberOfMessagesNotVisible: '0' } });
    mock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-handle-1' });
    return { sqs, mock };
  }

  const options = (argv: string[]) => readRedriveOptions(['--queue-url', AWS_QUEUE, '--dlq-url', AWS_DLQ, ...argv], {}) as RedriveOptions;

  it('starts a move task from the DLQ to the queue and follows it to the end', async () => {
    const { sqs, mock } = awsMock();
    mock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ TaskHandle: 'task-handle-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 10, ApproximateNumberOfMessagesToMove: 42 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 42, ApproximateNumberOfMessagesToMove: 42 }] });
    const { out, err, io: streams } = io();

    expect(await redrive(sqs, options(['--max-rate', '25']), { ...streams, pollIntervalMs: 1 })).toBe(0);

    expect(mock.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: DLQ_ARN, DestinationArn: QUEUE_ARN, MaxNumberOfMessagesPerSecond: 25 },
    ]);
    expect(mock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(out).toEqual([
      `started SQS message move task task-handle-1: about 42 message(s) from ${DLQ_ARN} to ${QUEUE_ARN}`,
      'RUNNING: 10 of 42 moved',
      'COMPLETED: 42 of 42 moved',
    ]);
    expect(err).toEqual([]);
  });

  it('exits 1 with the reason when the move task fails', async () => {
    const { sqs, mock } = awsMock();
    mock.on(ListMessageMoveTasksCommand).resolves({
      Results: [{ Status: 'FAILED', FailureReason: 'AWS.SimpleQueueService.AccessDenied', ApproximateNumberOfMessagesMoved: 0 }],
    });
    const { err, io: streams } = io();
    expect(await redrive(sqs, options([]), { ...streams, pollIntervalMs: 1 })).toBe(1);
    expect(err).toEqual(['redrive: the move task ended FAILED: AWS.SimpleQueueService.AccessDenied']);
  });

  it('--no-wait returns once the task is started; --copy never starts one', async () => {
    const { sqs, mock } = awsMock();
    const { out, io: streams } = io();
    expect(await redrive(sqs, options(['--no-wait']), streams)).toBe(0);
    expect(out.at(-1)).toBe(`follow it with: aws sqs list-message-move-tasks --source-arn ${DLQ_ARN}`);
    expect(mock.commandCalls(ListMessageMoveTasksCommand)).toHaveLength(0);

    mock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    expect(await redrive(sqs, options(['--copy']), streams)).toBe(0);
    expect(mock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1);
  });
});

/**
 * A local stand-in for AWS STS: answers AssumeRole with fixed temporary credentials and keeps
 * each request's parameters. The SDK finds it through AWS_ENDPOINT_URL_STS, as it would any
 * STS endpoint; nothing here reaches AWS.
 */
async function startLocalSts(): Promise<{ url: string; requests: URLSearchParams[]; stop: () => Promise<void> }> {
  const requests: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push(new URLSearchParams(body));
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
          '<Credentials><AccessKeyId>ASIAREDRIVEROLE</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>' +
          '<SessionToken>assumed-session-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
          `<AssumedRoleUser><AssumedRoleId>AROAREDRIVE:session</AssumedRoleId><Arn>${ROLE_ARN}</Arn></AssumedRoleUser>` +
          '</AssumeRoleResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></AssumeRoleResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('redrive --role-arn', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  it('assumes the role with STS and makes every SQS call with its temporary credentials', async () => {
    const sts = await startLocalSts();
    process.env.AWS_ENDPOINT_URL_STS = sts.url;
    const sqs = localSqs();
    const queues = await queuesWithDeadLetters(sqs);
    sqs.destroy();
    const options = readRedriveOptions(
      ['--dry-run', '--queue-url', queues.queueUrl, '--dlq-url', queues.deadLetterQueueUrl, '--endpoint', process.env.SQS_ENDPOINT!, '--region', 'us-east-1', '--role-arn', ROLE_ARN],
      {},
    );
    if (options === 'help') throw new Error('unexpected help');
    const client = redriveClientsFor(options);
    const authorizations: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        authorizations.push(`${headers.authorization} token=${headers['x-amz-security-token']}`);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordAuthorization', priority: 'low' },
    );
    const { out, io: streams } = io();
    try {
      expect(await redrive(client, options, streams)).toBe(0);
    } finally {
      client.destroy();
      await sts.stop();
    }

    expect(out.at(-1)).toBe(`3 message(s) in ${queues.deadLetterQueueUrl}; dry run, nothing moved (they are visible again).`);
    expect(sts.requests.map((request) => [request.get('Action'), request.get('RoleArn'), request.get('RoleSessionName')])).toEqual([
      ['AssumeRole', ROLE_ARN, 'clerk-webhook-sync-script'],
    ]);
    expect(authorizations.length).toBeGreaterThan(0);
    for (const authorization of authorizations) expect(authorization).toMatch(/Credential=ASIAREDRIVEROLE\/.* token=assumed-session-token$/);
  });
});
