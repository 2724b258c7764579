import { type App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ClerkWebhookSyncStack } from '../../lib/clerk-webhook-sync-stack';
import { propsFromContext } from '../../lib/context-props';
import { addNagChecks } from '../../lib/nag';
import { testApp } from './synth-stack';

/** The app as bin/clerk-webhook-sync.ts builds it. */
function appWithNag(): App {
  const app = testApp();
  new ClerkWebhookSyncStack(app, 'Test', propsFromContext(app));
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
  // One app as bin/ builds it, synthesized once (with the checks as a validation plugin); the
  // tests below read it. Synth errors are kept for the first test to report.
  let app: App;
  let synthError: unknown;
  beforeAll(() => {
    app = appWithNag();
    try {
      app.synth();
    } catch (error) {
      synthError = error;
    }
  });

  it('the stack synthesizes with the checks on and has no unacknowledged finding', () => {
    expect(synthError).toBeUndefined();
    // Same rules, called directly, so a failure lists the findings instead of "Validation failed".
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('also with an existing signing secret, by name or by ARN, an alarm e-mail subscription, and mail notifications', () => {
    const other = testApp();
    new ClerkWebhookSyncStack(other, 'ByName', {
      existingSigningSecretName: 'clerk/webhook-signing-secret',
      alarmEmail: 'ops@example.com',
    });
    new ClerkWebhookSyncStack(other, 'ByArn', {
      existingSigningSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clerk/webhook-AbC123',
    });
    const withMail = new ClerkWebhookSyncStack(other, 'WithMail', {
      mail: { fromAddress: 'Acme <welcome@acme.example>', configurationSetName: 'welcome-mails' },
    });
    addNagChecks(other);
    expect(() => other.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(other).violations).toEqual([]);

    // Mails add two acknowledgements, each needed: the failure queue is a DLQ that cdk-nag cannot
    // see as one (it is an event source's on-failure destination), and the notifier's X-Ray grant.
    const mailAcknowledgements = acknowledgementsIn(withMail)
      .filter(({ path }) => path.startsWith('WithMail/Default/MailNotifier/'))
      .map(({ path, id }) => `${id} at ${path}`);
    expect(mailAcknowledgements.sort()).toEqual(
      [
        'AwsSolutions-SQS3 at WithMail/Default/MailNotifier/FailureQueue',
        'AwsSolutions-IAM5[Resource::*] at WithMail/Default/MailNotifier/Notifier/Role',
      ].sort(),
    );
    const blind = new AwsSolutionsChecks();
    (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const mailFindings = blind
      .validateScope(withMail)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
      .filter((finding) => finding.includes('WithMail/Default/MailNotifier/'));
    expect(mailFindings.sort()).toEqual(
      [
        'AwsSolutions-SQS3 at WithMail/Default/MailNotifier/FailureQueue/Resource',
        'AwsSolutions-IAM5[Resource::*] at WithMail/Default/MailNotifier/Notifier/Role/DefaultPolicy/Resource',
      ].sort(),
    );
  });

  it('also with change events (a bus of their own with an archive, or an existing bus) next to mails', () => {
    const other = testApp();
    const withEvents = new ClerkWebhookSyncStack(other, 'WithChangeEvents', {
      changeEvents: { archiveRetention: Duration.days(30) },
      mail: { fromAddress: 'welcome@acme.example' },
    });
    // A bus of the app's, known by its ARN.
    const sharedBus = EventBus.fromEventBusArn(new Stack(), 'AppBus', 'arn:aws:events:eu-west-1:123456789012:event-bus/app-events');
    new ClerkWebhookSyncStack(other, 'OnAppBus', { changeEvents: { eventBus: sharedBus } });
    addNagChecks(other);
    expect(() => other.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(other).violations).toEqual([]);

    // Two acknowledgements, each needed, as for mails: the failure queue is a DLQ cdk-nag cannot
    // see as one (an event source's on-failure destination), and the publisher's X-Ray grant.
    const prefix = 'WithChangeEvents/Default/ChangeEvents/';
    expect(
      acknowledgementsIn(withEvents)
        .filter(({ path }) => path.startsWith(prefix))
        .map(({ path, id }) => `${id} at ${path}`)
        .sort(),
    ).toEqual([`AwsSolutions-IAM5[Resource::*] at ${prefix}Publisher/Role`, `AwsSolutions-SQS3 at ${prefix}FailureQueue`].sort());
    const blind = new AwsSolutionsChecks();
    (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    expect(
      blind
        .validateScope(withEvents)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
        .filter((finding) => finding.includes(prefix))
        .sort(),
    ).toEqual([`AwsSolutions-IAM5[Resource::*] at ${prefix}Publisher/Role/DefaultPolicy/Resource`, `AwsSolutions-SQS3 at ${prefix}FailureQueue/Resource`].sort());
  });

  it('acknowledges exactly four findings, each on its own resource and with a reason', () => {
    const acknowledgements = acknowledgementsIn(app);
    expect(acknowledgements.map(({ path, id }) => `${id} at ${path}`).sort()).toEqual(
      [
        'AwsSolutions-SMG4 at Test/Default/WebhookVerifier/SigningSecret',
        'AwsSolutions-APIG4 at Test/Default/IngestApi/HttpApi/POST--webhooks--clerk',
        // X-Ray's two actions on "*" (tracing is Active); iam.test.ts proves nothing else is "*".
        'AwsSolutions-IAM5[Resource::*] at Test/Default/WebhookVerifier/Verifier/Role',
        'AwsSolutions-IAM5[Resource::*] at Test/Default/EventProcessor/Processor/Role',
      ].sort(),
    );
    for (const { reason } of acknowledgements) expect(reason.length).toBeGreaterThan(60);
  });

  it('every acknowledgement is needed: without them, exactly those findings appear, on those resources', () => {
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
