import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClerkWebhookSyncStack, type ClerkWebhookSyncStackProps } from '../../lib/clerk-webhook-sync-stack';
import { propsFromContext } from '../../lib/context-props';
import { PROJECT_ROOT } from '../../lib/constructs/node-function';

/** The feature flags `cdk synth` runs with, so the tests see the template the CLI would produce. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** An App like bin/ builds, minus bundling (no esbuild run in unit tests). */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface SynthResult {
  readonly app: App;
  readonly stack: ClerkWebhookSyncStack;
  readonly template: Template;
}

/** Builds the stack the way bin/clerk-webhook-sync.ts does (context first, explicit props win). */
export function synthStack(props: ClerkWebhookSyncStackProps = {}, context: Record<string, unknown> = {}): SynthResult {
  const app = testApp(context);
  const stack = new ClerkWebhookSyncStack(app, 'Test', { ...propsFromContext(app), ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/** The one resource of a type matching `props`; fails when there are none or several. */
export function onlyResource(template: Template, type: string, props?: unknown): { id: string; resource: CfnResource } {
  const found = Object.entries(template.findResources(type, props === undefined ? undefined : { Properties: props }));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  }
  const [id, resource] = found[0]!;
  return { id, resource: resource as CfnResource };
}

export const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const ref = (logicalId: string) => ({ Ref: logicalId });
