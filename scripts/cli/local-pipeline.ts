import { LOCAL_DEFAULTS } from '../../lib/local-names';
import { blankToUndefined } from './args';

/** Where `npm start` puts things (lib/local-names.ts), with the environment overrides it reads, for the scripts' --local. */

export {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localEventQueueName,
  localLedgerTableName,
  localNotifierFailureQueueName,
} from '../../lib/local-names';

export function localTableName(env: NodeJS.ProcessEnv): string {
  return blankToUndefined(env.TABLE_NAME) ?? LOCAL_DEFAULTS.tableName;
}

export function localSqsEndpoint(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${blankToUndefined(env.SQS_PORT) ?? LOCAL_DEFAULTS.sqsPort}`;
}

export function localDynamoDbEndpoint(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${blankToUndefined(env.DYNAMODB_PORT) ?? LOCAL_DEFAULTS.dynamoDbPort}`;
}
