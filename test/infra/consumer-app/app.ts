/**
 * A team's own CDK app that installed clerk-webhook-sync as a package: two pipelines side by side
 * in one stack of theirs (production and staging Clerk instances), with cdk-nag on. The test copies
 * this file into a directory where `clerk-webhook-sync` is installed from `npm pack`, compiles it
 * against the package's declarations and runs it.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClerkWebhookSync, type ClerkWebhookSyncProps } from 'clerk-webhook-sync';
import type { User } from 'clerk-webhook-sync/client';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'ConsumerStack');

const production: ClerkWebhookSyncProps = {
  alarmEmail: 'ops@example.com',
  mail: { fromAddress: 'Acme <welcome@acme.example>', appName: 'Acme' },
};
const prod = new ClerkWebhookSync(stack, 'Prod', production);
const staging = new ClerkWebhookSync(stack, 'Staging', { maxConcurrency: 2, oldestMessageAgeAlarmThreshold: Duration.hours(1) });

// The typed reader's shapes come with the package too.
const example: Pick<User, 'id' | 'email'> = { id: 'user_1', email: 'ada@example.com' };
if (prod.pipelineName === staging.pipelineName || example.id === '') throw new Error('pipelines must have distinct names');

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
