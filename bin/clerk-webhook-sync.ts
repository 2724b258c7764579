#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ClerkWebhookSyncStack } from '../lib/clerk-webhook-sync-stack';
import { CONTEXT_KEYS, optionalStringContext, propsFromContext } from '../lib/context-props';
import { addNagChecks } from '../lib/nag';

// Environment-agnostic on purpose: synth needs no account, region or lookups.
const app = new App();
new ClerkWebhookSyncStack(app, optionalStringContext(app, CONTEXT_KEYS.stackName) ?? 'ClerkWebhookSync', propsFromContext(app));
addNagChecks(app);
