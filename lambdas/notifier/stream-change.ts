import type { DynamoDBRecord } from 'aws-lambda';
import { type Image, imageOf } from '../shared/stream-images';

export type { Image } from '../shared/stream-images';

/** One change of the sync table as the notifier reasons about it: plain JS images. */
export interface StreamChange {
  readonly eventName: 'INSERT' | 'MODIFY';
  readonly eventId?: string;
  readonly sequenceNumber?: string;
  readonly newImage: Image;
  /** Absent on INSERT. */
  readonly oldImage?: Image;
}

/**
 * Decodes a stream record, or `undefined` when no mail can follow from it: a REMOVE (items
 * only disappear by cascade or TTL, never by a first appearance) or a record without the new
 * image (a stream not configured with NEW_AND_OLD_IMAGES).
 */
export function decodeStreamRecord(record: DynamoDBRecord): StreamChange | undefined {
  const { eventName, dynamodb } = record;
  if ((eventName !== 'INSERT' && eventName !== 'MODIFY') || dynamodb?.NewImage === undefined) return undefined;
  return {
    eventName,
    ...(record.eventID === undefined ? {} : { eventId: record.eventID }),
    ...(dynamodb.SequenceNumber === undefined ? {} : { sequenceNumber: dynamodb.SequenceNumber }),
    newImage: imageOf(dynamodb.NewImage),
    ...(dynamodb.OldImage === undefined ? {} : { oldImage: imageOf(dynamodb.OldImage) }),
  };
}
