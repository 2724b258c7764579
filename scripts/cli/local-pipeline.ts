import { LOCAL_DEFAULTS } from '../../local/local-config';
import { blankToUndefined } from './args';

/** Where `npm start` (local/local-pipeline.ts, local/local-config.ts) puts things, for the scripts' --local. */

export const LOCAL_REGION = 'us-east-1';
/** The local engines accept any credentials; fixed ones keep the default chain (and AWS) out of it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function localTableName(env: NodeJS.ProcessEnv): string {
  return blankToUndefined(env.TABLE_NAME) ?? LOCAL_DEFAULTS.tableName;
}

/** The event queue's name; its DLQ is `<name>-dlq`, the notifier's failure queue `<name>-notifier-failures`. */
export function localEventQueueName(tableName: string): string {
  return `${tableName.replace(/[^A-Za-z0-9_-]/g, '-')}-events`;
}

export function localSqsEndpoint(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${blankToUndefined(env.SQS_PORT) ?? LOCAL_DEFAULTS.sqsPort}`;
}

export function localDynamoDbEndpoint(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${blankToUndefined(env.DYNAMODB_PORT) ?? LOCAL_DEFAULTS.dynamoDbPort}`;
}
