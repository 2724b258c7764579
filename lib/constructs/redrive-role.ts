import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EventQueue } from './event-queue';

export interface RedriveRoleProps {
  /** The event queue and its DLQ. */
  readonly events: EventQueue;
}

/**
 * What `npm run redrive` calls (scripts/redrive), on the dead-letter queue: start and follow a
 * move task, or receive, release and delete message by message; and on the queue: read its ARN.
 */
export const REDRIVE_DEAD_LETTER_QUEUE_ACTIONS = [
  'sqs:StartMessageMoveTask',
  'sqs:ListMessageMoveTasks',
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
] as const;
export const REDRIVE_QUEUE_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueAttributes'] as const;

/**
 * The one role besides the functions that may send to the event queue (its queue policy denies
 * everyone else): `npm run redrive -- --role-arn <RedriveRoleArn>` assumes it. Principals of
 * this account may assume it when their own IAM policies allow `sts:AssumeRole` on it; nobody
 * outside the account can.
 */
export class RedriveRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RedriveRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'npm run redrive --role-arn: moves dead-lettered Clerk events back to the event queue',
      maxSessionDuration: Duration.hours(1),
    });
    props.events.deadLetterQueue.grant(this.role, ...REDRIVE_DEAD_LETTER_QUEUE_ACTIONS);
    props.events.queue.grant(this.role, ...REDRIVE_QUEUE_ACTIONS);
  }
}
