import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../lib/package-root';

/**
 * The package as another team's CDK app gets it: `npm pack` (which builds dist/ through prepack)
 * installed into a fresh directory, imported by its name, two pipelines in one stack, cdk-nag on.
 */

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let workDir: string;
let template: Template;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'clerk-consumer-'));
  const consumer = path.join(workDir, 'app');
  const installed = path.join(consumer, 'node_modules', 'clerk-webhook-sync');
  mkdirSync(installed, { recursive: true });

  const tarball = execFileSync(NPM, ['pack', '--silent', '--pack-destination', workDir], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['-xzf', path.join(workDir, tarball), '-C', installed, '--strip-components=1']);

  // The package's dependencies, as `npm install` would put them next to it (links, not copies).
  for (const name of readdirSync(path.join(PACKAGE_ROOT, 'node_modules'))) {
    if (name.startsWith('.') || name === 'clerk-webhook-sync') continue;
    symlinkSync(path.join(PACKAGE_ROOT, 'node_modules', name), path.join(consumer, 'node_modules', name));
  }
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true }));
  // An app has its own lock file; the installed package has none, and bundling must find the app's.
  writeFileSync(path.join(consumer, 'package-lock.json'), JSON.stringify({ name: 'consumer-app', lockfileVersion: 3, packages: {} }));
  cpSync(path.join(__dirname, 'consumer-app', 'app.ts'), path.join(consumer, 'app.ts'));
  writeFileSync(
    path.join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: true, types: ['node'] },
      files: ['app.ts'],
    }),
  );

  // Type-checked against the package's declarations (its `exports` map), then run as plain Node.
  execFileSync(process.execPath, [path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], {
    cwd: consumer,
    encoding: 'utf8',
  });
  execFileSync(process.execPath, ['app.js'], { cwd: consumer, encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: path.join(workDir, 'out') } });
  template = JSON.parse(readFileSync(path.join(workDir, 'out', 'ConsumerStack.template.json'), 'utf8')) as Template;
}, 240_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const resourcesOf = (type: string): Resource[] => Object.values(template.Resources).filter((resource) => resource.Type === type);
const property = (resource: Resource, name: string): unknown => resource.Properties?.[name];

describe('ClerkWebhookSync in a consumer app, installed from the packed package', () => {
  it('synthesizes two complete pipelines in one stack, with cdk-nag passing (the app exits 0)', () => {
    expect(resourcesOf('AWS::ApiGatewayV2::Api')).toHaveLength(2);
    expect(resourcesOf('AWS::DynamoDB::GlobalTable')).toHaveLength(3); // two sync tables, one mail ledger
    expect(resourcesOf('AWS::SQS::Queue')).toHaveLength(5); // two queues, two DLQs, one mail failure queue
    expect(resourcesOf('AWS::Lambda::Function')).toHaveLength(5); // two verifiers, two processors, one notifier
  });

  it('gives every alarm and dashboard a name of its own pipeline, unique in the account', () => {
    const alarmNames = resourcesOf('AWS::CloudWatch::Alarm').map((alarm) => property(alarm, 'AlarmName') as string);
    expect(new Set(alarmNames).size).toBe(alarmNames.length);
    expect(alarmNames.filter((name) => name.startsWith('ConsumerStack-Prod-'))).toHaveLength(14);
    expect(alarmNames.filter((name) => name.startsWith('ConsumerStack-Staging-'))).toHaveLength(10);
    expect(resourcesOf('AWS::CloudWatch::Dashboard').map((board) => property(board, 'DashboardName')).sort()).toEqual([
      'ConsumerStack-Prod',
      'ConsumerStack-Staging',
    ]);
  });

  it("keeps each pipeline's metrics apart: its functions publish to its namespace and its alarms read only that", () => {
    const namespaces = resourcesOf('AWS::Lambda::Function').map(
      (fn) => (property(fn, 'Environment') as { Variables: Record<string, string> }).Variables.POWERTOOLS_METRICS_NAMESPACE,
    );
    expect(namespaces.sort()).toEqual([
      'ClerkWebhookSync/ConsumerStack-Prod',
      'ClerkWebhookSync/ConsumerStack-Prod',
      'ClerkWebhookSync/ConsumerStack-Prod',
      'ClerkWebhookSync/ConsumerStack-Staging',
      'ClerkWebhookSync/ConsumerStack-Staging',
    ]);
    for (const alarm of resourcesOf('AWS::CloudWatch::Alarm')) {
      const name = property(alarm, 'AlarmName') as string;
      const pipeline = name.startsWith('ConsumerStack-Prod-') ? 'ConsumerStack-Prod' : 'ConsumerStack-Staging';
      const custom = JSON.stringify(alarm.Properties).match(/ClerkWebhookSync\/[A-Za-z0-9_-]+/g) ?? [];
      for (const namespace of custom) expect(namespace).toBe(`ClerkWebhookSync/${pipeline}`);
    }
  });

  it('creates the outputs of both pipelines without a clash', () => {
    const outputs = Object.keys(template.Outputs ?? {});
    expect(outputs.filter((id) => id.startsWith('ProdWebhookUrl'))).toHaveLength(1);
    expect(outputs.filter((id) => id.startsWith('StagingWebhookUrl'))).toHaveLength(1);
    expect(outputs).toHaveLength(10 + 2 + 10);
  });
});
