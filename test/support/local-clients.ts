import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { ClientTimeouts } from '../../lambdas/shared/sdk-client-options';
import { createSqsMessageSender, type SqsMessageSender } from '../../lambdas/verifier/sqs-message-sender';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function endpoint(name: 'DYNAMODB_ENDPOINT' | 'SQS_ENDPOINT'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the jest globalSetup starts the local engines`);
  return value;
}

/** A client for the DynamoDB Local started by the jest globalSetup. */
export function localDynamoDb(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: endpoint('DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials });
}

export function localDocumentClient(client: DynamoDBClient = localDynamoDb()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A DynamoDB Streams client for the DynamoDB Local started by the jest globalSetup. */
export function localStreams(): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint: endpoint('DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials });
}

/** The endpoints of both engines, for a local pipeline that uses them instead of starting its own. */
export function localEngineEndpoints(): { dynamoDbEndpoint: string; sqsEndpoint: string } {
  return { dynamoDbEndpoint: endpoint('DYNAMODB_ENDPOINT'), sqsEndpoint: endpoint('SQS_ENDPOINT') };
}

/** A client for the SQS emulator started by the jest globalSetup. */
export function localSqs(): SQSClient {
  return new SQSClient({ endpoint: endpoint('SQS_ENDPOINT'), region: 'us-east-1', credentials });
}

/** Room for an emulator on a busy machine: data-path tests are about what is queued, not about timeouts. */
const LOCAL_VERIFIER_TIMEOUTS: ClientTimeouts = { connectionTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxAttempts: 2 };

/** The verifier's own SQS client (lambdas/verifier/sqs-message-sender.ts), sending to the emulator started by the jest globalSetup. */
export function localQueueSender(endpointUrl: string = endpoint('SQS_ENDPOINT')): SqsMessageSender {
  return createSqsMessageSender({ endpoint: endpointUrl, region: 'us-east-1', credentials, timeouts: LOCAL_VERIFIER_TIMEOUTS });
}

/** A unique name per test so test files sharing the engines never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
