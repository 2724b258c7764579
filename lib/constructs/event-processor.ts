import * as path from 'node:path';
import { type Duration, Token } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { PROCESSOR_DEFAULTS, PROCESSOR_ENV } from '../../lambdas/processor/processor-config';
import { SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { positiveInteger } from '../../lambdas/shared/require-env';
import { PIPELINE_DEFAULTS } from '../pipeline-defaults';
import type { EventQueue } from './event-queue';
import { type FunctionLoggingProps, functionLogging, NodeFunction, PROJECT_ROOT } from './node-function';

export interface EventProcessorProps extends FunctionLoggingProps {
  /** The queue to consume and its DLQ (poison messages are sent there directly, with the reason). */
  readonly events: EventQueue;
  /** The table the processor applies events to. */
  readonly table: ITableV2;
  /**
   * Function timeout. The queue's visibility timeout must be at least
   * `PIPELINE_DEFAULTS.visibilityTimeoutFactor` times this; construction fails otherwise.
   * @default PIPELINE_DEFAULTS.processorTimeout
   */
  readonly timeout?: Duration;
  /**
   * Records per invocation.
   * @default PIPELINE_DEFAULTS.batchSize
   */
  readonly batchSize?: number;
  /**
   * How long the event source gathers records before invoking.
   * @default PIPELINE_DEFAULTS.maxBatchingWindow
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source makes (2 to 1000): bounds the write rate.
   * @default PIPELINE_DEFAULTS.maxConcurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Days a tombstone lives before DynamoDB's TTL removes it.
   * @default PROCESSOR_DEFAULTS.tombstoneTtlDays (30)
   */
  readonly tombstoneTtlDays?: number;
  /**
   * Memory of the processor function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Read a session's or membership's parents before writing it, so that a child of an already
   * deleted user or organization never appears, not even for a moment, in the table's stream.
   * The change-events feed needs that (docs/change-events.md); the table ends the same without it
   * (docs/consistency.md), one read per child event cheaper.
   * @default PROCESSOR_DEFAULTS.readParentsFirst (false)
   */
  readonly readParentsFirst?: boolean;
}

/**
 * The DynamoDB calls of lambdas/processor: conditional Put/Update writes, the parent status Get,
 * an orphan's Delete of itself, and the cascade's Query (on the base table: `queries` of
 * lambdas/shared/table-schema) and batched deletes (BatchWriteItem, delete requests only).
 */
export const PROCESSOR_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:Query',
] as const;

/** The processor Lambda, fed by the queue through an SQS event source with partial batch responses. */
export class EventProcessor extends Construct {
  public readonly function: IFunction;
  public readonly nodeFunction: NodeFunction;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: EventProcessorProps) {
    super(scope, id);
    const timeout = props.timeout ?? PIPELINE_DEFAULTS.processorTimeout;
    const minimumVisibility = timeout.toSeconds() * PIPELINE_DEFAULTS.visibilityTimeoutFactor;
    if (props.events.visibilityTimeout.toSeconds() < minimumVisibility) {
      throw new Error(
        `queue visibility timeout (${props.events.visibilityTimeout.toSeconds()} s) must be at least ` +
          `${PIPELINE_DEFAULTS.visibilityTimeoutFactor}x the processor timeout (${minimumVisibility} s)`,
      );
    }
    const tombstoneTtlDays = props.tombstoneTtlDays ?? PROCESSOR_DEFAULTS.tombstoneTtlDays;
    // The function's own rule, so what it would refuse at cold start fails the synth instead.
    if (!Token.isUnresolved(tombstoneTtlDays)) positiveInteger(tombstoneTtlDays, 'tombstoneTtlDays');
    const maxConcurrency = props.maxConcurrency ?? PIPELINE_DEFAULTS.maxConcurrency;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error(`maxConcurrency must be an integer from 2 to 1000, got ${maxConcurrency}`);
    }

    this.nodeFunction = new NodeFunction(this, 'Processor', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'processor', 'index.ts'),
      description: 'Applies verified Clerk events to the sync table, in order and exactly once',
      serviceName: SERVICE_NAMES.processor,
      timeout,
      memorySize: props.memorySize,
      ...functionLogging(props),
      environment: {
        [PROCESSOR_ENV.tableName]: props.table.tableName,
        [PROCESSOR_ENV.deadLetterQueueUrl]: props.events.deadLetterQueue.queueUrl,
        [PROCESSOR_ENV.queueUrl]: props.events.queue.queueUrl,
        [PROCESSOR_ENV.tombstoneTtlDays]: String(tombstoneTtlDays),
        [PROCESSOR_ENV.readParentsFirst]: String(props.readParentsFirst ?? PROCESSOR_DEFAULTS.readParentsFirst),
      },
    });
    this.function = this.nodeFunction.function;

    this.eventSource = new SqsEventSource(props.events.queue, {
      batchSize: props.batchSize ?? PIPELINE_DEFAULTS.batchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? PIPELINE_DEFAULTS.maxBatchingWindow,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);

    // Exactly the calls lambdas/processor makes, on the base table only: it never reads gsi1.
    // Not `table.grant(...)`: that also names `<table ARN>/index/*` whenever the table has an index.
    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: [...PROCESSOR_TABLE_ACTIONS],
      resourceArns: [props.table.tableArn],
    });
    // Poison messages to the DLQ; a cascade that outgrows one invocation continues in a new message on the queue.
    props.events.deadLetterQueue.grant(this.function, 'sqs:SendMessage');
    props.events.queue.grant(this.function, 'sqs:SendMessage');
  }
}
