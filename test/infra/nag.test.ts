import { type App, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClerkWebhookSyncStack } from '../../lib/clerk-webhook-sync-stack';
import { propsFromContext } from '../../lib/context-props';
import { addNagChecks } from '../../lib/nag';
import { acknowledgementsIn, findingsIgnoringAcknowledgements } from './nag-findings';
import { testApp } from './synth-stack';

/** The app as bin/clerk-webhook-sync.ts builds it. */
function appWithNag(): App {
  const app = testApp();
  new ClerkWebhookSyncStack(app, 'Test', propsFromContext(app));
  addNagChecks(app);
  return app;
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

    // Mails add one acknowledgement, needed: the failure queue is a DLQ that cdk-nag cannot see as
    // one (it is an event source's on-failure destination).
    const mailAcknowledgements = acknowledgementsIn(withMail)
      .filter(({ path }) => path.startsWith('WithMail/Default/MailNotifier/'))
      .map(({ path, id }) => `${id} at ${path}`);
    expect(mailAcknowledgements.sort()).toEqual(
      [
        'AwsSolutions-SQS3 at WithMail/Default/MailNotifier/FailureQueue',
      ].sort(),
    );
    const mailFindings = findingsIgnoringAcknowledgements(withMail)
      .filter((finding) => finding.includes('WithMail/Default/MailNotifier/'));
    expect(mailFindings.sort()).toEqual(
      [
        'AwsSolutions-SQS3 at WithMail/Default/MailNotifier/FailureQueue/Resource',
      ].sort(),
    );
  });

  it('acknowledges exactly two findings by default, each on its own resource and with a reason', () => {
    const acknowledgements = acknowledgementsIn(app);
    expect(acknowledgements.map(({ path, id }) => `${id} at ${path}`).sort()).toEqual(
      [
        'AwsSolutions-SMG4 at Test/Default/WebhookVerifier/SigningSecret',
        'AwsSolutions-APIG4 at Test/Default/IngestApi/HttpApi/POST--webhooks--clerk',
      ].sort(),
    );
    for (const { reason } of acknowledgements) expect(reason.length).toBeGreaterThan(60);
  });

  it('with -c tracing=true: X-Ray\'s "*" is acknowledged on each function role, and nothing is left unacknowledged', () => {
    const tracedApp = testApp({ tracing: 'true' });
    new ClerkWebhookSyncStack(tracedApp, 'Test', { ...propsFromContext(tracedApp), mail: { fromAddress: 'welcome@acme.example' } });
    addNagChecks(tracedApp);
    expect(() => tracedApp.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(tracedApp).violations).toEqual([]);
    const acknowledged = acknowledgementsIn(tracedApp).map(({ path, id }) => `${id} at ${path}`);
    // X-Ray's two actions on "*"; iam.test.ts proves nothing else is "*".
    expect(acknowledged.filter((entry) => entry.startsWith('AwsSolutions-IAM5')).sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*] at Test/Default/WebhookVerifier/Verifier/Role',
        'AwsSolutions-IAM5[Resource::*] at Test/Default/EventProcessor/Processor/Role',
        'AwsSolutions-IAM5[Resource::*] at Test/Default/MailNotifier/Notifier/Role',
      ].sort(),
    );
    // And each is needed: blind to acknowledgements, the pack flags exactly those policies.
    const blind = new AwsSolutionsChecks();
    (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const iam5 = blind
      .validateScope(tracedApp)
      .violations.filter((v) => v.ruleName.startsWith('AwsSolutions-IAM5'))
      .flatMap((v) => v.violatingResources.map((r) => r.constructPath));
    expect(iam5.sort()).toEqual(
      ['WebhookVerifier/Verifier', 'EventProcessor/Processor', 'MailNotifier/Notifier']
        .map((fn) => `Test/Default/${fn}/Role/DefaultPolicy/Resource`)
        .sort(),
    );
  });

  it('every acknowledgement is needed: without them, exactly those findings appear, on those resources', () => {
    const findings = findingsIgnoringAcknowledgements(app).sort();
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
