import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { TABLE_KEYS } from '../../lambdas/shared/table-schema';

/**
 * Lambda-shaped DynamoDB stream records built from plain JS images, as the DynamoDB event
 * source hands them to a function (NEW_AND_OLD_IMAGES). Images go through the same marshall
 * as the SDK, so sets, numbers and nested values arrive in wire format like the real thing.
 */

export interface StreamRecordInput {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** Defaults to `pk`/`sk` of the new image, else of the old image. */
  readonly keys?: Record<string, unknown>;
  readonly newImage?: Record<string, unknown>;
  readonly oldImage?: Record<string, unknown>;
  /** Decimal digits in the stream; order within a shard follows it. */
  readonly sequenceNumber: string;
  /** @default derived from the sequence number: a retried record is the same record. */
  readonly eventId?: string;
  /** Epoch seconds. @default now */
  readonly approximateCreationDateTime?: number;
  readonly eventSourceArn?: string;
  /** A deletion by DynamoDB's TTL: the record names the DynamoDB service as the identity. */
  readonly removedByTtl?: boolean;
}

export const TEST_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:000000000000:table/clerk-sync/stream/2024-05-29T00:00:00.000';

type Wire = NonNullable<StreamRecord['NewImage']>;

// aws-lambda declares its own copy of the wire AttributeValue type; the shapes are the same.
function wire(image: Record<string, unknown>): Wire {
  return marshall(image, { removeUndefinedValues: true }) as unknown as Wire;
}

function keysOf(input: StreamRecordInput): Record<string, unknown> {
  if (input.keys !== undefined) return input.keys;
  const image = input.newImage ?? input.oldImage;
  if (image === undefined) throw new Error('streamRecord needs keys or an image');
  const { partitionKey, sortKey } = TABLE_KEYS;
  return image[sortKey] === undefined
    ? { [partitionKey]: image[partitionKey] }
    : { [partitionKey]: image[partitionKey], [sortKey]: image[sortKey] };
}

export function streamRecord(input: StreamRecordInput): DynamoDBRecord {
  const dynamodb: StreamRecord = {
    ApproximateCreationDateTime: input.approximateCreationDateTime ?? Math.floor(Date.now() / 1000),
    Keys: wire(keysOf(input)),
    ...(input.newImage === undefined ? {} : { NewImage: wire(input.newImage) }),
    ...(input.oldImage === undefined ? {} : { OldImage: wire(input.oldImage) }),
    SequenceNumber: input.sequenceNumber,
    SizeBytes: JSON.stringify([input.newImage ?? null, input.oldImage ?? null]).length,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  };
  return {
    eventID: input.eventId ?? `evt-${input.sequenceNumber}`,
    eventName: input.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb,
    eventSourceARN: input.eventSourceArn ?? TEST_STREAM_ARN,
    ...(input.removedByTtl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  };
}

export function streamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}
