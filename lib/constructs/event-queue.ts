import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PIPELINE_DEFAULTS, visibilityTimeoutFor } from '../pipeline-defaults';

export interface EventQueueProps {
  /**
   * Receives of one message before SQS moves it to the dead-letter queue.
   * @default PIPELINE_DEFAULTS.maxReceiveCount
   */
  readonly maxReceiveCount?: number;
  /**
   * Timeout of the function that consumes the queue; the visibility timeout is derived from it
   * (`visibilityTimeoutFor`), so a slow batch is not redelivered while it is still being processed.
   * @default PIPELINE_DEFAULTS.processorTimeout
   */
  readonly consumerTimeout?: Duration;
}

/**
 * The verified-event queue between verifier and processor, and its dead-letter queue.
 * Both: SSE with SQS-managed keys (no KMS key, so no KMS grants), TLS-only queue policies,
 * the same maximum message size.
 */
export class EventQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly maxReceiveCount: number;
  public readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: EventQueueProps = {}) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? PIPELINE_DEFAULTS.maxReceiveCount;
    if (!Number.isInteger(this.maxReceiveCount) || this.maxReceiveCount < 1 || this.maxReceiveCount > 1000) {
      throw new Error(`maxReceiveCount must be an integer from 1 to 1000, got ${this.maxReceiveCount}`);
    }
    this.visibilityTimeout = visibilityTimeoutFor(props.consumerTimeout ?? PIPELINE_DEFAULTS.processorTimeout);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: PIPELINE_DEFAULTS.deadLetterRetention,
      maxMessageSizeBytes: PIPELINE_DEFAULTS.maxMessageSizeBytes,
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: PIPELINE_DEFAULTS.queueRetention,
      maxMessageSizeBytes: PIPELINE_DEFAULTS.maxMessageSizeBytes,
      visibilityTimeout: this.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}
