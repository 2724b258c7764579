import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'svix';
import { ClerkSyncReader } from '../../client/clerk-sync-reader';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { QUEUED_EVENT_ATTRIBUTES, type QueuedEvent } from '../../lambdas/shared/queued-event';
import { queuedMessageBody } from '../../lambdas/verifier/enqueue-event';
import { createConsoleReporter } from '../../local/console-reporter';
import { generateSigningSecret } from '../../local/local-config';
import { type ProcessorHandler, type RunningLocalPipeline, startLocalPipeline } from '../../local/local-pipeline';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { localDocumentClient, localSqs, uniqueName } from '../support/local-clients';

/**
 * The local pipeline assembled in-process on the engines jest's globalSetup started, so a
 * test can wrap the real processor to inject a failure. (test/e2e runs `npm start`'s entry
 * point as a separate process, with engines of its own.)
 */

const sqs = localSqs();
const documentClient = localDocumentClient();
const secret = generateSigningSecret();
let pipeline: RunningLocalPipeline | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

function engines(): { dynamoDbEndpoint: string; sqsEndpoint: string } {
  return { dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT!, sqsEndpoint: process.env.SQS_ENDPOINT! };
}

function ids(): { userId: string; email: string } {
  const tag = randomUUID().slice(0, 8);
  return { userId: `user_2${tag}`, email: `Grace.Hopper.${tag}@Example.com` };
}

async function post(url: string, event: ClerkEventEnvelope, svixId = `msg_${randomUUID()}`): Promise<Response> {
  const body = JSON.stringify(event);
  const now = new Date();
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': svixId,
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(svixId, now, body),
    },
  });
}

async function settled(queueUrl: string): Promise<void> {
  for (;;) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    if (Object.values(Attributes ?? {}).every((count) => count === '0')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('local pipeline (in-process)', () => {
  it('verifies, queues and applies a signed webhook, and shows each step on the console without personal data', async () => {
    const lines: string[] = [];
    pipeline = await startLocalPipeline({
      port: 0,
      engines: engines(),
      // Mails have their own tests (test/e2e/local-mail.test.ts); no mailbox in the working tree.
      mail: false,
      tableName: uniqueName('local-pipeline'),
      signingSecrets: [secret],
      reporter: createConsoleReporter((line) => lines.push(line)),
      pollWaitTimeSeconds: 1,
      logLevel: 'SILENT',
    });
    const user = ids();

    const health = await fetch(pipeline.healthUrl);
    const created = await post(pipeline.webhookUrl, sampleEvent('user.created', user), 'msg_created');
    const unmodelled = await post(pipeline.webhookUrl, sampleEvent('email.created', user), 'msg_email');
    const forged = await fetch(pipeline.webhookUrl, {
      method: 'POST',
      body: JSON.stringify(sampleEvent('user.created', ids())),
      headers: { 'svix-id': 'msg_forged', 'svix-timestamp': String(Math.floor(Date.now() / 1000)), 'svix-signature': 'v1,Zm9yZ2Vk' },
    });
    await settled(pipeline.queueUrl);

    expect(health.status).toBe(200);
    expect([created.status, unmodelled.status, forged.status]).toEqual([200, 200, 401]);
    const reader = new ClerkSyncReader(documentClient, pipeline.tableName);
    expect(await reader.getUser(user.userId, { consistentRead: true })).toEqual(
      expect.objectContaining({ id: user.userId, email: user.email }),
    );
    const console = lines.join('\n');
    expect(console).toMatch(/received 200 +msg_created +user\.created/);
    expect(console).toMatch(new RegExp(`applied +msg_created +user\\.created +${user.userId}`));
    // The verifier acknowledges a type the table does not store without queueing it.
    expect(console).toMatch(/received 200 +msg_email +email\.created +— not queued: event type not modelled/);
    expect(console).not.toMatch(/ignored \(unmodelled type\) +msg_email/);
    expect(console).toMatch(/rejected 401 +msg_forged +— no signature matched/);
    expect(console).not.toContain(user.email);
    expect(console).not.toMatch(/Grace|Hopper/i);
  });

  it('with allowedInstanceIds (CLERK_INSTANCE_IDS), acknowledges events of other instances and applies only its own', async () => {
    pipeline = await startLocalPipeline({
      port: 0,
      engines: engines(),
      mail: false,
      tableName: uniqueName('local-instances'),
      signingSecrets: [secret],
      allowedInstanceIds: ['ins_2mine'],
      pollWaitTimeSeconds: 1,
      logLevel: 'SILENT',
    });
    const [theirs, mine] = [ids(), ids()];
    // Sample events come from the sample instance, not ins_2mine.
    const foreign = await post(pipeline.webhookUrl, sampleEvent('user.created', theirs), 'msg_theirs');
    const own = await post(pipeline.webhookUrl, { ...sampleEvent('user.created', mine), instance_id: 'ins_2mine' }, 'msg_mine');
    await settled(pipeline.queueUrl);

    expect([foreign.status, own.status]).toEqual([200, 200]);
    expect(await foreign.json()).toEqual({ received: true, queued: false, reason: 'instance not allowed' });
    const reader = new ClerkSyncReader(documentClient, pipeline.tableName);
    expect(await reader.getUser(theirs.userId, { consistentRead: true })).toBeUndefined();
    expect(await reader.getUser(mine.userId, { consistentRead: true })).toEqual(expect.objectContaining({ id: mine.userId }));
  });

  it('sends a message that keeps failing to the DLQ after maxReceiveCount, and processes the rest of its batch', async () => {
    const lines: string[] = [];
    const batches: SQSEvent[] = [];
    const responses: SQSBatchResponse[] = [];
    const poisonSvixId = `msg_poison_${randomUUID()}`;
    // Fails the poison record transiently every time, as a DynamoDB outage for one item would; the rest go to the real processor.
    const failPoison = (processor: ProcessorHandler) => async (event: SQSEvent): Promise<SQSBatchResponse> => {
      batches.push(event);
      const isPoison = (record: SQSEvent['Records'][number]) =>
        record.messageAttributes[QUEUED_EVENT_ATTRIBUTES.svixId]?.stringValue === poisonSvixId;
      const rest = event.Records.filter((record) => !isPoison(record));
      const response = rest.length > 0 ? await processor({ Records: rest }) : { batchItemFailures: [] };
      const withPoison = {
        batchItemFailures: [
          ...response.batchItemFailures,
          ...event.Records.filter(isPoison).map((record) => ({ itemIdentifier: record.messageId })),
        ],
      };
      responses.push(withPoison);
      return withPoison;
    };
    pipeline = await startLocalPipeline({
      port: 0,
      engines: engines(),
      // Mails have their own tests (test/e2e/local-mail.test.ts); no mailbox in the working tree.
      mail: false,
      tableName: uniqueName('local-poison'),
      signingSecrets: [secret],
      reporter: createConsoleReporter((line) => lines.push(line)),
      queueSettings: { visibilityTimeoutSeconds: 2, maxReceiveCount: 2 },
      wrapProcessor: failPoison,
      pollWaitTimeSeconds: 1,
    });
    const users = [ids(), ids(), ids(), ids()];
    const svixIds = [poisonSvixId, ...users.slice(1).map(() => `msg_${randomUUID()}`)];
    // One SendMessageBatch, with bodies and attributes as the verifier writes them, so the four arrive as one batch.
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: pipeline.queueUrl,
        Entries: users.map((user, index) => {
          const raw = Buffer.from(JSON.stringify(sampleEvent('user.created', user)));
          const delivery = {
            svixId: svixIds[index]!,
            svixTimestamp: Math.floor(Date.now() / 1000),
            receivedAt: new Date().toISOString(),
            raw,
            text: raw.toString('utf8'),
            eventType: 'user.created',
          };
          return {
            Id: String(index),
            MessageBody: queuedMessageBody(delivery),
            MessageAttributes: {
              [QUEUED_EVENT_ATTRIBUTES.svixId]: { DataType: 'String', StringValue: delivery.svixId },
              [QUEUED_EVENT_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: delivery.eventType },
            },
          };
        }),
      }),
    );

    let deadLettered: string[] = [];
    while (deadLettered.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.deadLetterQueueUrl, MaxNumberOfMessages: 10 }));
      deadLettered = (Messages ?? []).map((message) => (JSON.parse(message.Body!) as QueuedEvent).svixId);
    }
    await settled(pipeline.queueUrl);

    expect(deadLettered).toEqual([poisonSvixId]);
    expect(batches[0]!.Records).toHaveLength(4);
    expect(responses[0]!.batchItemFailures).toEqual([{ itemIdentifier: batches[0]!.Records.find((record) => record.body.includes(poisonSvixId))!.messageId }]);
    const poisonReceives = batches.flatMap((batch) => batch.Records).filter((record) => record.body.includes(poisonSvixId));
    expect(poisonReceives.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    const reader = new ClerkSyncReader(documentClient, pipeline.tableName);
    for (const user of users.slice(1)) expect((await reader.getUser(user.userId, { consistentRead: true }))?.id).toBe(user.userId);
    expect(await reader.getUser(users[0]!.userId, { consistentRead: true })).toBeUndefined();
    const console = lines.join('\n');
    expect(console).toMatch(new RegExp(`failed +${poisonSvixId} +user\\.created +\\(attempt 1 of 2, will retry after the visibility timeout\\)`));
    expect(console).toMatch(new RegExp(`failed +${poisonSvixId} +user\\.created +\\(attempt 2 of 2; the queue moves it to the DLQ\\)`));
    expect(lines.filter((line) => /applied +msg_/.test(line))).toHaveLength(3);
  });

  it('stops the webhook server with the rest: the port no longer answers', async () => {
    pipeline = await startLocalPipeline({ port: 0, engines: engines(), mail: false, tableName: uniqueName('local-stop'), pollWaitTimeSeconds: 20 });
    const { healthUrl } = pipeline;
    expect(pipeline.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await fetch(healthUrl)).status).toBe(200);
    await pipeline.stop();
    pipeline = undefined;
    await expect(fetch(healthUrl)).rejects.toThrow();
  });
});
