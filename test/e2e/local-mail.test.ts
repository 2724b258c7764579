import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { MailSender, OutgoingMail } from '../../lambdas/notifier/mail-sender';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { createConsoleReporter } from '../../local/console-reporter';
import { generateSigningSecret } from '../../local/local-config';
import { type RunningLocalPipeline, startLocalPipeline } from '../../local/local-pipeline';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { localDynamoDb, localEngineEndpoints, localSqs, uniqueName } from '../support/local-clients';
import { postSignedEvent } from '../support/signed-request';

/**
 * The mail switch of the local pipeline, in-process on the engines jest's globalSetup started
 * (test/e2e/local-pipeline.test.ts covers the mailbox through `npm start` itself).
 */

const dynamodb = localDynamoDb();
const sqs = localSqs();
const secret = generateSigningSecret();
let pipeline: RunningLocalPipeline | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

afterAll(() => {
  dynamodb.destroy();
  sqs.destroy();
});

const engines = localEngineEndpoints;
const post = (url: string, event: ClerkEventEnvelope): Promise<number> => postSignedEvent(url, secret, event);

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('local pipeline mail switch', () => {
  it('with mail: false, creates no stream, no ledger and no failure queue', async () => {
    const tableName = uniqueName('local-no-mail');
    pipeline = await startLocalPipeline({ port: 0, engines: engines(), tableName, signingSecrets: [secret], mail: false, pollWaitTimeSeconds: 1 });

    expect([pipeline.mailboxDir, pipeline.ledgerTableName, pipeline.notifierFailureQueueUrl]).toEqual([undefined, undefined, undefined]);
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    await expect(dynamodb.send(new DescribeTableCommand({ TableName: `${tableName}-mail-ledger` }))).rejects.toThrow(ResourceNotFoundException);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: `${tableName}-events-notifier-failures` }))).rejects.toThrow(QueueDoesNotExist);
  });

  it('hands mails to a replacing sender, and says on the console why a backfilled user gets none', async () => {
    const lines: string[] = [];
    const sent: OutgoingMail[] = [];
    const sender: MailSender = {
      async send(mail) {
        sent.push(mail);
        return { messageId: `test-${sent.length}` };
      },
    };
    pipeline = await startLocalPipeline({
      port: 0,
      engines: engines(),
      tableName: uniqueName('local-mail-sender'),
      signingSecrets: [secret],
      reporter: createConsoleReporter((line) => lines.push(line)),
      mail: { sender, streamPollIntervalMs: 20 },
      pollWaitTimeSeconds: 1,
      logLevel: 'SILENT',
    });
    const tag = randomUUID().slice(0, 8);
    const fresh = { userId: `user_2${tag}new`, email: `New.User.${tag}@Example.com`, at: Date.now() };
    // Created a year before the pipeline first hears of it: an import, not news.
    const imported = { userId: `user_2${tag}old`, email: `Old.User.${tag}@Example.com`, at: Date.now(), createdAt: Date.now() - 365 * 86_400_000 };

    expect([await post(pipeline.webhookUrl, sampleEvent('user.created', fresh)), await post(pipeline.webhookUrl, sampleEvent('user.created', imported))]).toEqual([200, 200]);
    await until(() => lines.filter((line) => line.includes(' mail ')).length >= 2);

    expect(pipeline.mailboxDir).toBeUndefined();
    expect(sent.map((mail) => [mail.kind, mail.userId, mail.to])).toEqual([['welcome', fresh.userId, fresh.email]]);
    const console = lines.join('\n');
    expect(console).toMatch(new RegExp(`mail sent +welcome +${fresh.userId}$`, 'm'));
    expect(console).toMatch(new RegExp(`mail skipped \\(backfill\\) +welcome +${imported.userId}$`, 'm'));
    expect(console).not.toMatch(/New\.User|Old\.User/i);
  });
});
