import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { createNotifierSesClient } from '../../lambdas/notifier/ses-client';
import { createSesMailSender } from '../../lambdas/notifier/ses-mail-sender';
import { SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { createMailboxMailSender } from '../../lambdas/notifier/mailbox-mail-sender';
import { awsClientConfig } from '../cli/aws-client-config';
import type { ReplayMailsClients } from './deps';
import type { ReplayMailsOptions } from './options';

export function notifierLogger(options: ReplayMailsOptions): Logger {
  return new Logger({ serviceName: SERVICE_NAMES.notifier, logLevel: options.verbose ? 'INFO' : 'ERROR' });
}

/** The clients the options describe: the default credential chain, or the local engines' dummy credentials. */
export function replayMailsClientsFor(options: ReplayMailsOptions): ReplayMailsClients {
  const sender =
    options.mailboxDir === undefined
      ? createSesMailSender({
          // SES is always AWS: never the --endpoint-url of the other services.
          client: createNotifierSesClient(options.region === undefined ? {} : { region: options.region }),
          from: options.from,
          ...(options.configurationSetName === undefined ? {} : { configurationSetName: options.configurationSetName }),
        })
      : createMailboxMailSender({ directory: options.mailboxDir, from: options.from });
  return {
    sqs: new SQSClient(awsClientConfig({ ...options, endpoint: options.sqsEndpoint ?? options.endpoint })),
    dynamoDb: new DynamoDBClient(awsClientConfig(options)),
    streams: new DynamoDBStreamsClient(awsClientConfig(options)),
    sender,
  };
}

export function closeReplayMailsClients(clients: ReplayMailsClients): void {
  clients.sqs.destroy();
  clients.dynamoDb.destroy();
  clients.streams.destroy();
}
