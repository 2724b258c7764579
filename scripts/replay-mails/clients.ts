import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { MailSender } from '../../lambdas/notifier/mail-sender';
import { createMailboxMailSender } from '../../lambdas/notifier/mailbox-mail-sender';
import { NOTIFIER_DEFAULTS } from '../../lambdas/notifier/notifier-config';
import { createNotifierSesClient } from '../../lambdas/notifier/ses-client';
import { createSesMailSender } from '../../lambdas/notifier/ses-mail-sender';
import { SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { clientOptions } from '../../lambdas/shared/sdk-client-options';
import { awsClientConfig } from '../cli/aws-client-config';
import type { LineIo } from '../cli/run-main';
import type { ReplayMailsOptions } from './options';
import type { RangeReadOptions } from './read-failed-range';

/** What a replay is given: the clients the options describe (closed by the caller) and, below, where it writes. */
export interface ReplayMailsClients {
  readonly sqs: SQSClient;
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly sender: MailSender;
  /** The notifier's log. @default Powertools at ERROR (INFO with --verbose) */
  readonly logger?: Logger;
}

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
    // The notifier's code runs on this client: its bounds, which fit inside the mail lease (notifier-config.ts).
    dynamoDb: new DynamoDBClient({ ...awsClientConfig(options), ...clientOptions(NOTIFIER_DEFAULTS.awsCalls) }),
    streams: new DynamoDBStreamsClient(awsClientConfig(options)),
    sender,
  };
}

export function closeReplayMailsClients(clients: ReplayMailsClients): void {
  clients.sqs.destroy();
  clients.dynamoDb.destroy();
  clients.streams.destroy();
}

export interface ReplayMailsIo extends LineIo, RangeReadOptions {
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Long poll of each receive. @default 2 */
  readonly waitTimeSeconds?: number;
}
