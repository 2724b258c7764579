#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import {
  ClerkWebhookSyncStack,
  CONTEXT_KEYS,
  optionalStringContext,
  stackPropsFromContext,
} from '../lib/clerk-webhook-sync-stack';
import { addNagChecks } from '../lib/nag';

// Environment-agnostic on purpose: synth needs no account, region or lookups.
const app = new App();
new ClerkWebhookSyncStack(
  app,
  optionalStringContext(app, CONTEXT_KEYS.stackName) ?? 'ClerkWebhookSync',
  stackPropsFromContext(app),
);
addNagChecks(app);
