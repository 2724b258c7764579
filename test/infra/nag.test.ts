import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ClerkWebhookSyncStack, stackPropsFromContext } from '../../lib/clerk-webhook-sync-stack';
import { addNagChecks } from '../../lib/nag';
import { testApp } from './synth-stack';

/** The app as bin/clerk-webhook-sync.ts builds it. */
function appWithNag(): App {
  const app = testApp();
  new ClerkWebhookSyncStack(app, 'Test', stackPropsFromContext(app));
  addNagChecks(app);
  return app;
}

function acknowledgementsIn(root: IConstruct): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return found;
}

describe('cdk-nag AWS Solutions checks', () => {
  it('the stack synthesizes with the checks on and has no unacknowledged finding', () => {
    const app = appWithNag();
    expect(() => app.synth()).not.toThrow();
    // Same rules, called directly, so a failure lists the findings instead of "Validation failed".
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('also with an existing signing secret, by name or by ARN (the grant then names a secret ARN pattern)', () => {
    const app = testApp();
    new ClerkWebhookSyncStack(app, 'ByName', { existingSigningSecretName: 'clerk/webhook-signing-secret' });
    new ClerkWebhookSyncStack(app, 'ByArn', {
      existingSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clerk/webhook-AbC123',
    });
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('acknowledges exactly three findings, each on its own resource and with a reason', () => {
    const acknowledgements = acknowledgementsIn(appWithNag());
    expect(acknowledgements.map(({ path, id }) => ({ path, id }))).toEqual([
      { path: 'Test/WebhookVerifier/SigningSecret', id: 'AwsSolutions-SMG4' },
      { path: 'Test/IngestApi/HttpApi/POST--webhooks--clerk', id: 'AwsSolutions-APIG4' },
      {
        path: 'Test/EventProcessor/Processor/Role',
        id: expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<SyncTable[0-9A-F]{8}\.Arn>\/index\/\*\]$/),
      },
    ]);
    for (const { reason } of acknowledgements) expect(reason.length).toBeGreaterThan(60);
  });

  it('every acknowledgement is needed: without them, exactly those findings appear, on those resources', () => {
    const app = appWithNag();
    app.synth();
    const checks = new AwsSolutionsChecks();
    // Test-only: make the pack blind to acknowledgements to see what they hide.
    (checks as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = checks
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
      .sort();
    const expected = acknowledgementsIn(app)
      .map(({ path, id }) => `${id} at ${path}/${path.endsWith('/Role') ? 'DefaultPolicy/Resource' : 'Resource'}`)
      .sort();
    expect(findings).toEqual(expected);
  });

  it('fails synth on an unacknowledged finding (the wiring works)', () => {
    const app = testApp();
    new Queue(new Stack(app, 'Careless'), 'PlainQueue');
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
