import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MailSender } from '../../lambdas/notifier/mail-sender';
import type { LineIo } from '../cli/run-main';
import type { RangeReadOptions } from './read-failed-range';

export interface ReplayMailsClients {
  readonly sqs: SQSClient;
  readonly dynamoDb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly sender: MailSender;
  /** The notifier's log. @default Powertools at ERROR (INFO with --verbose) */
  readonly logger?: Logger;
}

export interface ReplayMailsIo extends LineIo, RangeReadOptions {
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Long poll of each receive. @default 2 */
  readonly waitTimeSeconds?: number;
}
