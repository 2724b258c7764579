import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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

/** Who may send to the queues; everyone else is denied `sqs:SendMessage` by the queue policies. */
export interface EventQueueSenders {
  /** The verifier, the processor (continued cascades) and the redrive role. */
  readonly queue: readonly iam.IRole[];
  /** The processor (messages that can never succeed). */
  readonly deadLetterQueue: readonly iam.IRole[];
}

/**
 * The verified-event queue between verifier and processor, and its dead-letter queue.
 * Both: SSE with SQS-managed keys (no KMS key, so no KMS grants), TLS-only queue policies,
 * the same maximum message size, and (once `allowSendersOnly` names them) no sender but the
 * pipeline's own roles.
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

  /**
   * Denies `sqs:SendMessage` (SendMessageBatch included) on each queue to every principal
   * whose ARN is not one of the given roles' (for a role session, `aws:PrincipalArn` is the
   * role's ARN), whatever its own IAM policies allow. SQS moving a message to the DLQ after
   * `maxReceiveCount` receives is the queue's redrive policy, not a SendMessage by a principal,
   * so it is not affected; a DLQ redrive (move task) sends as the role that started it.
   */
  public allowSendersOnly(senders: EventQueueSenders): void {
    denySendingExcept(this.queue, 'DenySendExceptPipelineRoles', senders.queue);
    denySendingExcept(this.deadLetterQueue, 'DenySendExceptProcessor', senders.deadLetterQueue);
  }
}

function denySendingExcept(queue: Queue, sid: string, roles: readonly iam.IRole[]): void {
  if (roles.length === 0) throw new Error(`${queue.node.path}: at least one role must be allowed to send`);
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': roles.map((role) => role.roleArn) } },
    }),
  );
}
