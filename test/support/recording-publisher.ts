import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ChangeEvent } from '../../lambdas/change-events/change-event';
import { createChangeEventsHandler } from '../../lambdas/change-events/create-change-events-handler';
import { type DiscardedStreamBatch, type RunningDynamoDbStreamSource, startDynamoDbStreamSource } from '../../local/dynamodb-stream-source';

export interface RecordingPublisher {
  readonly source: RunningDynamoDbStreamSource;
  /** What the real publisher put, in order. */
  readonly published: ChangeEvent[];
  /** Batches the stream source gave up on (none expected). */
  readonly discarded: DiscardedStreamBatch[];
}

/** The real publisher on a table's stream, read by the local stream source as Lambda would, its puts recorded. */
export function startRecordingPublisher(streams: DynamoDBStreamsClient, streamArn: string): RecordingPublisher {
  const published: ChangeEvent[] = [];
  const discarded: DiscardedStreamBatch[] = [];
  const handler = createChangeEventsHandler({
    publish: async (events) => {
      published.push(...events);
      return {};
    },
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  const source = startDynamoDbStreamSource({ streams, streamArn, awsRegion: 'us-east-1', handler, pollIntervalMs: 10, retryBackoffMs: 1, onDiscarded: (batch) => discarded.push(batch) });
  return { source, published, discarded };
}
