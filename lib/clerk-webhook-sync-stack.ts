import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ClerkWebhookSync, type ClerkWebhookSyncProps } from './clerk-webhook-sync';

export interface ClerkWebhookSyncStackProps extends StackProps, Omit<ClerkWebhookSyncProps, 'name'> {}

/**
 * `cdk deploy` of this repository: one stack holding one `ClerkWebhookSync`, named after the stack
 * (alarm names `<stack name>-…`, dashboard `<stack name>`). To put the pipeline into your own stack,
 * use `ClerkWebhookSync` directly (README, "Use it in your own CDK app").
 */
export class ClerkWebhookSyncStack extends Stack {
  public readonly pipeline: ClerkWebhookSync;

  constructor(scope: Construct, id: string, props: ClerkWebhookSyncStackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        props.description ??
        'clerk-webhook-sync: keeps a DynamoDB copy of Clerk users, sessions, organizations and memberships',
    });
    // The id "Default" is left out of logical ids: the resources keep the ids they had when the
    // stack held them directly, so deployed stacks update in place instead of replacing the table.
    this.pipeline = new ClerkWebhookSync(this, 'Default', { ...props, name: this.stackName });
  }
}
