import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PROCESSOR_TABLE_ACTIONS } from '../../lib/constructs/event-processor';
import { permissions, permissionsOfRole, wildcardFindings } from './iam-permissions';
import { getAtt, onlyResource, ref, synthStack, testApp } from './synth-stack';

let template: Template;
/** The same stack with X-Ray active tracing on (`tracing: true`, `-c tracing=true`). */
let traced: Template;
beforeAll(() => {
  template = synthStack().template;
  traced = synthStack({ tracing: true }).template;
});

function roleOfService(serviceName: string, on: Template = template): string {
  const { resource } = onlyResource(on, 'AWS::Lambda::Function', {
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: serviceName } },
  });
  return (resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}
function logGroupOfService(serviceName: string): string {
  const { resource } = onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: serviceName } },
  });
  return (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
}
const ids = () => {
  const queues = template.findResources('AWS::SQS::Queue');
  const queue = Object.keys(queues).find((id) => queues[id]!.Properties.RedrivePolicy !== undefined)!;
  const deadLetterQueue = Object.keys(queues).find((id) => id !== queue)!;
  return {
    queue,
    deadLetterQueue,
    table: onlyResource(template, 'AWS::DynamoDB::GlobalTable').id,
    secret: onlyResource(template, 'AWS::SecretsManager::Secret').id,
  };
};
/** What Lambda needs to send traces (tracing on); X-Ray has no resource-level permissions. */
const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const xrayPermissions = () => permissions(XRAY_ACTIONS, ['*']);
/** The one statement that may name "*": X-Ray's actions and nothing else. */
const isXrayStatement = (resource: string, actions: readonly string[]) =>
  resource === '"*"' && actions.length > 0 && actions.every((action) => XRAY_ACTIONS.includes(action));

describe('verifier role', () => {
  it('may write its own logs, read the signing secret value and send to the queue: nothing else', () => {
    const { queue, secret } = ids();
    const logGroup = logGroupOfService('clerk-webhook-verifier');
    expect(permissionsOfRole(template, roleOfService('clerk-webhook-verifier'))).toEqual(
      [
        ...permissions(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroup)]),
        ...permissions(['secretsmanager:GetSecretValue'], [ref(secret)]),
        ...permissions(['sqs:SendMessage'], [getAtt(queue)]),
      ].sort(),
    );
  });
});

describe('processor role', () => {
  it('may write its own logs, consume the queue, make its six table calls, send to the DLQ and to the queue (continued cascades): nothing else', () => {
    const { queue, deadLetterQueue, table } = ids();
    const logGroup = logGroupOfService('clerk-webhook-processor');
    expect(permissionsOfRole(template, roleOfService('clerk-webhook-processor'))).toEqual(
      [
        ...permissions(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroup)]),
        // The SQS event source's own permissions (granted by SqsEventSource).
        ...permissions(
          [
            'sqs:ReceiveMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:GetQueueUrl',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
          ],
          [getAtt(queue)],
        ),
        // The calls lambdas/processor makes, on the table itself: no index (it never reads gsi1),
        // no Scan, no batch or transaction calls, no stream reads.
        ...permissions(
          ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          [getAtt(table)],
        ),
        ...permissions(['sqs:SendMessage'], [getAtt(deadLetterQueue), getAtt(queue)]),
      ].sort(),
    );
    expect([...PROCESSOR_TABLE_ACTIONS].sort()).toEqual(
      ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    );
  });
});

describe('with tracing on', () => {
  it('each function role gains exactly the two X-Ray actions on "*", and nothing else changes', () => {
    for (const service of ['clerk-webhook-verifier', 'clerk-webhook-processor']) {
      const untraced = permissionsOfRole(template, roleOfService(service));
      expect(permissionsOfRole(traced, roleOfService(service, traced))).toEqual([...untraced, ...xrayPermissions()].sort());
    }
  });

  it('the only "*" resource is the X-Ray statement', () => {
    expect(wildcardFindings(traced, isXrayStatement)).toEqual([]);
  });
});

describe('least privilege across the stack', () => {
  it('has exactly the two function roles and the redrive role, none with managed or inline policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const functionRoles = [roleOfService('clerk-webhook-verifier'), roleOfService('clerk-webhook-processor')];
    const redriveRole = Object.keys(roles).filter((id) => !functionRoles.includes(id));
    expect(redriveRole).toEqual([expect.stringMatching(/^Redrive/)]);
    for (const [id, role] of Object.entries(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      // The redrive role's trust (this account) is checked in queue-senders.test.ts.
      if (functionRoles.includes(id)) {
        expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ]);
      }
    }
  });

  it('no policy has a wildcard action or resource (tracing is off by default, so not even X-Ray\'s)', () => {
    // Tables, queues, the secret and the alarm topic are all named by ARN.
    expect(wildcardFindings(template, () => false)).toEqual([]);
  });

  it('resource policies (queues, alarm topic) allow no anonymous principal; their only "*" principal is in a Deny', () => {
    const policies = [
      ...Object.values(template.findResources('AWS::SQS::QueuePolicy')),
      ...Object.values(template.findResources('AWS::SNS::TopicPolicy')),
    ];
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown }[]) {
        if (statement.Effect === 'Allow') {
          expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
        }
      }
    }
  });

  it('the wildcard check catches wildcards and lets only a pure X-Ray statement name "*" (guards the guard)', () => {
    const findingsFor = (...statements: iam.PolicyStatement[]) => {
      const stack = new Stack(testApp(), 'Probe');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      for (const statement of statements) role.addToPolicy(statement);
      return wildcardFindings(Template.fromStack(stack), isXrayStatement);
    };
    expect(
      findingsFor(
        new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::bucket'] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }),
      ),
    ).toEqual([expect.stringMatching(/action s3:Get\*$/), expect.stringMatching(/resource "\*"$/)]);
    // A data action riding along in the X-Ray statement is caught.
    expect(
      findingsFor(new iam.PolicyStatement({ actions: [...XRAY_ACTIONS, 'dynamodb:PutItem'], resources: ['*'] })),
    ).toEqual([expect.stringMatching(/resource "\*"$/)]);
    expect(findingsFor(new iam.PolicyStatement({ actions: XRAY_ACTIONS, resources: ['*'] }))).toEqual([]);
  });
});
