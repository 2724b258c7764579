import { Match, type Template } from 'aws-cdk-lib/assertions';
import { REDRIVE_DEAD_LETTER_QUEUE_ACTIONS, REDRIVE_QUEUE_ACTIONS } from '../../lib/constructs/redrive-role';
import { permissions, permissionsOfRole } from './iam-permissions';
import { getAtt, onlyResource, ref, synthStack } from './synth-stack';

/*
 * Issue 14, item 7: nobody in the account but the pipeline's own roles may feed the queues, and
 * the alarm topic's key serves only this account's alarms.
 */

let template: Template;
// Every optional part on: mail (the notifier, its failure queue), reconciliation (its functions and roles), tracing.
let everything: Template;
beforeAll(() => {
  template = synthStack().template;
  everything = synthStack(
    { tracing: true, mail: { fromAddress: 'Acme <welcome@acme.example>' } },
    { reconcileSecretKeySecretName: 'clerk/secret-key' },
  ).template;
});

const mainQueue = (of = template) =>
  onlyResource(of, 'AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: Match.anyValue() }) });
/** The event queue's DLQ: the target of its redrive policy (the mail notifier's failure queue has none either). */
const deadLetterQueue = (of = template) => {
  const redrivePolicy = mainQueue(of).resource.Properties!.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } };
  return { id: redrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] };
};
const roleOfService = (serviceName: string): string => {
  const { resource } = onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: serviceName }) },
  });
  return (resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};
const verifierRole = () => roleOfService('clerk-webhook-verifier');
const processorRole = () => roleOfService('clerk-webhook-processor');
const redriveRole = () => onlyResource(template, 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('npm run redrive') }).id;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
function queuePolicyStatements(queueId: string, of = template): Statement[] {
  const policy = onlyResource(of, 'AWS::SQS::QueuePolicy', { Queues: [ref(queueId)] }).resource.Properties!;
  return (policy.PolicyDocument as { Statement: Statement[] }).Statement;
}
const sendDenials = (queueId: string, of = template) =>
  queuePolicyStatements(queueId, of).filter((statement) => statement.Effect === 'Deny' && statement.Action === 'sqs:SendMessage');

describe('queue policies', () => {
  it('deny sqs:SendMessage on the event queue to every principal but the verifier, the processor and the redrive role', () => {
    const { id } = mainQueue();
    expect(sendDenials(id)).toEqual([
      {
        Sid: 'DenySendExceptPipelineRoles',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:SendMessage',
        Resource: getAtt(id),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [getAtt(verifierRole()), getAtt(processorRole()), getAtt(redriveRole())] } },
      },
    ]);
  });

  it('deny sqs:SendMessage on the DLQ to every principal but the processor (SQS\'s own moves after maxReceiveCount are no SendMessage)', () => {
    const { id } = deadLetterQueue();
    expect(sendDenials(id)).toEqual([
      {
        Sid: 'DenySendExceptProcessor',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:SendMessage',
        Resource: getAtt(id),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [getAtt(processorRole())] } },
      },
    ]);
  });

  it.each([
    ['by default', () => template],
    ['with mail, reconciliation and tracing on', () => everything],
  ])('exempt exactly the roles whose own policies grant sqs:SendMessage on that queue, %s', (_variant, of) => {
    const variant = of();
    const sendersOf = (queueId: string) =>
      Object.keys(variant.findResources('AWS::IAM::Role')).filter((role) =>
        permissionsOfRole(variant, role).includes(`sqs:SendMessage on ${JSON.stringify(getAtt(queueId))}`),
      );
    for (const { id } of [mainQueue(variant), deadLetterQueue(variant)]) {
      const exempt = (sendDenials(id, variant)[0]!.Condition!.ArnNotEquals!['aws:PrincipalArn'] as { 'Fn::GetAtt': [string, string] }[]).map(
        (arn) => arn['Fn::GetAtt'][0],
      );
      expect(sendersOf(id).length).toBeGreaterThan(0);
      expect(exempt.sort()).toEqual(sendersOf(id).sort());
    }
  });
});

describe('redrive role', () => {
  it('may be assumed by principals of this account only (those whose own policies allow it)', () => {
    const role = onlyResource(template, 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('npm run redrive') }).resource;
    expect(role.Properties!.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':iam::', ref('AWS::AccountId'), ':root']] } },
        },
      ],
    });
    expect(role.Properties!.MaxSessionDuration).toBe(3600);
  });

  it('may do exactly what npm run redrive does: move tasks and message moves from the DLQ, sends to the queue', () => {
    expect(permissionsOfRole(template, redriveRole())).toEqual(
      [
        ...permissions([...REDRIVE_DEAD_LETTER_QUEUE_ACTIONS], [getAtt(deadLetterQueue().id)]),
        ...permissions([...REDRIVE_QUEUE_ACTIONS], [getAtt(mainQueue().id)]),
      ].sort(),
    );
    expect([...REDRIVE_DEAD_LETTER_QUEUE_ACTIONS].sort()).toEqual(
      [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ListMessageMoveTasks',
        'sqs:ReceiveMessage',
        'sqs:StartMessageMoveTask',
      ],
    );
    expect([...REDRIVE_QUEUE_ACTIONS].sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
  });

  it('is a stack output for --role-arn', () => {
    template.hasOutput('RedriveRoleArn', { Value: getAtt(redriveRole()) });
  });
});

describe('alarm topic key', () => {
  it('lets CloudWatch use it only for the alarms of this account and region', () => {
    const { resource } = onlyResource(template, 'AWS::KMS::Key');
    const statements = (resource.Properties!.KeyPolicy as { Statement: Statement[] }).Statement;
    const forCloudWatch = statements.filter((statement) => JSON.stringify(statement.Principal).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toEqual([
      expect.objectContaining({
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':cloudwatch:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':alarm:*']],
            },
          },
        },
      }),
    ]);
  });
});
