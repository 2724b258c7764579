import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** One image (old or new) of a sync-table stream record as plain JS: numbers, sets, lists and maps unmarshalled. */
export type Image = Readonly<Record<string, unknown>>;

type WireImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** The stream consumers (notifier, change events) read images through this one function. */
export function imageOf(image: WireImage): Image {
  // aws-lambda declares its own copy of the wire AttributeValue type; the shapes are the same.
  return unmarshall(image as Record<string, AttributeValue>);
}
