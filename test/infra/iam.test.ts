import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { permissions, permissionsOfRole, wildcardFindings } from './iam-permissions';
import { getAtt, onlyResource, ref, synthStack, testApp } from './synth-stack';

let template: Template;
beforeAll(() => {
  template = synthStack().template;
});

function roleOfService(serviceName: string): string {
  const { resource } = onlyResource(template, 'AWS::Lambda::Function', {
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
const tableIndexes = (tableId: string) => ({ 'Fn::Join': ['', [getAtt(tableId), '/index/*']] });

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
  it('may write its own logs, consume the queue, read/write the table and its index, and send to the DLQ: nothing else', () => {
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
        // table.grantReadWriteData: this table and its indexes only.
        ...permissions(
          [
            'dynamodb:BatchGetItem',
            'dynamodb:BatchWriteItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:DeleteItem',
            'dynamodb:DescribeTable',
            'dynamodb:GetItem',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:Scan',
            'dynamodb:UpdateItem',
          ],
          [getAtt(table), tableIndexes(table)],
        ),
        ...permissions(['sqs:SendMessage'], [getAtt(deadLetterQueue)]),
      ].sort(),
    );
  });
});

describe('least privilege across the stack', () => {
  it('has exactly the two function roles, neither with managed or inline policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles).sort()).toEqual(
      [roleOfService('clerk-webhook-verifier'), roleOfService('clerk-webhook-processor')].sort(),
    );
    for (const role of Object.values(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it("no policy has a wildcard action or resource, except the table's own index ARN pattern", () => {
    // `<table ARN>/index/*` is how grantReadWriteData names a table's indexes; it cannot reach
    // another table. Nothing else may contain `*` (no X-Ray or log patterns exist: tracing is off
    // and each function writes only to its own log group).
    const allowedIndexPattern = JSON.stringify(tableIndexes(ids().table));
    expect(wildcardFindings(template, (resource) => resource === allowedIndexPattern)).toEqual([]);
  });

  it('the wildcard check does catch wildcards (guards the guard)', () => {
    const stack = new Stack(testApp(), 'Probe');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::bucket'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    const findings = wildcardFindings(Template.fromStack(stack), () => false);
    expect(findings).toEqual([
      expect.stringMatching(/action s3:Get\*$/),
      expect.stringMatching(/resource "\*"$/),
    ]);
  });
});
