// Starts the real engines once per jest run; tests find them through these variables.
import { startDynamoDbLocal, startSqsEmulator } from '../../local/engines.mjs';

export default async function globalSetup() {
  const [dynamodb, sqs] = await Promise.all([startDynamoDbLocal(), startSqsEmulator()]);
  globalThis.__ENGINES__ = { dynamodb, sqs };
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    SQS_ENDPOINT: sqs.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
}
