import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  NOTIFIER_LEDGER_ACTIONS,
  NOTIFIER_TABLE_ACTIONS,
  parseFromAddress,
  sesIdentityFor,
} from '../../lib/constructs/mail-notifier';
import { PROJECT_ROOT } from '../../lib/constructs/node-function';
import { permissions, permissionsOfRole, wildcardFindings } from './iam-permissions';
import { type CfnResource, getAtt, onlyResource, ref, synthStack } from './synth-stack';

// Four synths for the whole file: mail off (the default), mail on with its defaults (and a
// configuration set), mail from context, and mail with every setting overridden.
let off: Template;
let on: Template;
beforeAll(() => {
  off = synthStack().template;
  on = synthStack({ mail: { fromAddress: 'Acme <welcome@acme.example>', configurationSetName: 'welcome-mails' } }).template;
});

const NOTIFIER_SERVICE = 'clerk-webhook-notifier';
const notifier = (template: Template) =>
  onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: NOTIFIER_SERVICE }) },
  });
const notifierEnv = (template: Template) =>
  (notifier(template).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const notifierRole = (template: Template) =>
  (notifier(template).resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const syncTable = (template: Template) =>
  onlyResource(template, 'AWS::DynamoDB::GlobalTable', { KeySchema: Match.arrayWith([Match.objectLike({ KeyType: 'RANGE' })]) });
const ledger = (template: Template) =>
  onlyResource(template, 'AWS::DynamoDB::GlobalTable', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
const failureQueue = (template: Template) =>
  onlyResource(template, 'AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600, MaximumMessageSize: Match.absent() });
const streamMapping = (template: Template) =>
  onlyResource(template, 'AWS::Lambda::EventSourceMapping', { StartingPosition: Match.anyValue() });
const filterPatterns = (template: Template): unknown[] =>
  (streamMapping(template).resource.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
    ({ Pattern }) => JSON.parse(Pattern),
  );
/** `arn:${Partition}:ses:${Region}:${AccountId}:<resource>` as CloudFormation renders it. */
const sesArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':ses:', ref('AWS::Region'), ':', ref('AWS::AccountId'), `:${resource}`]],
});
const resourceTypeCounts = (template: Template): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const { Type } of Object.values(template.toJSON().Resources as Record<string, CfnResource>)) {
    counts[Type] = (counts[Type] ?? 0) + 1;
  }
  return counts;
};

describe('mail off (the default)', () => {
  it('has no table stream and no notifier, ledger, failure queue, alarm or output of the feature', () => {
    expect(syncTable(off).resource.Properties!.StreamSpecification).toBeUndefined();
    expect(resourceTypeCounts(off)).toMatchObject({
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::Lambda::Function': 2,
      // The two functions' roles and the redrive role.
      'AWS::IAM::Role': 3,
      'AWS::Logs::LogGroup': 3,
      'AWS::SQS::Queue': 2,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::CloudWatch::Alarm': 10,
    });
    const json = JSON.stringify(off.toJSON());
    for (const trace of [NOTIFIER_SERVICE, 'ses:', 'StreamArn', 'dynamodb:GetRecords', 'MailRecordsFailed', 'IteratorAge']) {
      expect(json).not.toContain(trace);
    }
    expect(Object.keys(off.findOutputs('*'))).not.toEqual(expect.arrayContaining(['LedgerTableName']));
    expect(Object.keys(off.findOutputs('*'))).not.toEqual(expect.arrayContaining(['MailFailureQueueUrl']));
  });

  it('turning mail on only adds the feature and a stream on the table; every other resource stays as it was', () => {
    const before = off.toJSON().Resources as Record<string, CfnResource>;
    const after = on.toJSON().Resources as Record<string, CfnResource>;
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    // The dashboard gains the mail row and alarms; the table gains its stream, updated in place.
    expect(changed.map((id) => before[id]!.Type).sort()).toEqual(['AWS::CloudWatch::Dashboard', 'AWS::DynamoDB::GlobalTable']);
    const tableId = syncTable(off).id;
    expect({ ...after[tableId]!.Properties, StreamSpecification: undefined }).toEqual({
      ...before[tableId]!.Properties,
      StreamSpecification: undefined,
    });

    const added = Object.keys(after).filter((id) => !(id in before));
    const addedTypes: Record<string, number> = {};
    for (const id of added) addedTypes[after[id]!.Type] = (addedTypes[after[id]!.Type] ?? 0) + 1;
    expect(addedTypes).toEqual({
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::CloudWatch::Alarm': 4,
    });
  });
});

describe('the stream and its event source', () => {
  it('the sync table streams new and old images', () => {
    expect(syncTable(on).resource.Properties!.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('feeds the notifier from the oldest record, in order, with partial batch responses, bisection, bounded retries and age, then the failure queue', () => {
    const { FilterCriteria, ...mapping } = streamMapping(on).resource.Properties!;
    expect(FilterCriteria).toBeDefined();
    expect(mapping).toEqual({
      EventSourceArn: getAtt(syncTable(on).id, 'StreamArn'),
      FunctionName: ref(notifier(on).id),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(failureQueue(on).id) } },
    });
  });

  it('only users with a verified primary address and admin memberships invoke the notifier (REMOVE records have no new image)', () => {
    expect(filterPatterns(on)).toEqual([
      { dynamodb: { NewImage: { type: { S: ['user'] }, emailVerified: { BOOL: [true] } } } },
      { dynamodb: { NewImage: { type: { S: ['membership'] }, role: { S: ['org:admin', 'admin'] } } } },
    ]);
    // DynamoDB event source mappings filter on the `dynamodb` key only.
    for (const pattern of filterPatterns(on)) expect(Object.keys(pattern as object)).toEqual(['dynamodb']);
  });

  it('the failure queue: SQS-managed SSE, TLS only, keeps messages 14 days', () => {
    const { id, resource } = failureQueue(on);
    expect(resource.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    on.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(id)],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: getAtt(id),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('the ledger: pk only, on-demand, PITR, encrypted, deleted with the stack', () => {
    const { resource } = ledger(on);
    expect(resource).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(resource.Properties).toEqual({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        {
          Region: ref('AWS::Region'),
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: false,
        },
      ],
    });
  });
});

describe('the notifier function', () => {
  it('Node.js 24 on ARM64, 60 s, quiet JSON logs, untraced, its settings in the environment', () => {
    const { resource } = notifier(on);
    expect(resource.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'WARN' },
    });
    expect(resource.Properties!.TracingConfig).toBeUndefined();
    expect(notifierEnv(on)).toEqual({
      TABLE_NAME: ref(syncTable(on).id),
      LEDGER_TABLE_NAME: ref(ledger(on).id),
      MAIL_FROM: 'Acme <welcome@acme.example>',
      SES_CONFIGURATION_SET: 'welcome-mails',
      ADMIN_ROLES: 'org:admin,admin',
      WELCOME_MAX_AGE_DAYS: '7',
      APP_NAME: 'our app',
      POWERTOOLS_SERVICE_NAME: NOTIFIER_SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: 'ClerkWebhookSync/Test',
    });
  });

  it('its role: own logs, the stream, GetItem on the table, the ledger calls, SendEmail as the identity, the failure queue: nothing else', () => {
    const { resource } = notifier(on);
    const logGroup = (resource.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const table = syncTable(on).id;
    expect(permissionsOfRole(on, notifierRole(on))).toEqual(
      [
        ...permissions(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroup)]),
        // The event source's reads, on this table's stream only.
        ...permissions(
          ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          [getAtt(table, 'StreamArn')],
        ),
        // The recipient, read at send time: the base table, no index, no writes.
        ...permissions(['dynamodb:GetItem'], [getAtt(table)]),
        ...permissions(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], [getAtt(ledger(on).id)]),
        // SES v2 checks the identity and, when one is used, the configuration set.
        ...permissions(['ses:SendEmail'], [sesArn('identity/acme.example'), sesArn('configuration-set/welcome-mails')]),
        ...permissions(['sqs:SendMessage'], [getAtt(failureQueue(on).id)]),
      ].sort(),
    );
  });

  it('the DynamoDB grants are exactly the calls the notifier code makes (neither more nor fewer)', () => {
    // lib-dynamodb command names -> IAM actions; a call the grants lack would fail with AccessDenied
    // in AWS only (DynamoDB Local does not check IAM), a grant the code never uses is excess privilege.
    const actionOf: Record<string, string> = {
      Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query', Scan: 'Scan',
      BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems',
    };
    const sourcesUnder = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourcesUnder(file);
        return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [readFileSync(file, 'utf8')] : [];
      });
    const used = new Set<string>();
    for (const source of sourcesUnder(path.join(PROJECT_ROOT, 'lambdas', 'notifier'))) {
      for (const [, name] of source.matchAll(/new (\w+?)(?:Item|Items)?Command\(/g)) {
        if (name! in actionOf) used.add(`dynamodb:${actionOf[name!]}`);
      }
    }
    expect(used.size).toBeGreaterThan(0);
    expect([...used].sort()).toEqual([...new Set([...NOTIFIER_TABLE_ACTIONS, ...NOTIFIER_LEDGER_ACTIONS])].sort());
  });

  it('no role has a wildcard (tracing is off by default), and only the notifier may send mail or read the stream', () => {
    expect(wildcardFindings(on, () => false)).toEqual([]);
    const roles = Object.keys(on.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(4);
    for (const role of roles.filter((id) => id !== notifierRole(on))) {
      for (const line of permissionsOfRole(on, role)) {
        expect(line).not.toMatch(/^ses:|StreamArn|dynamodb:GetRecords/);
      }
    }
  });
});

describe('alarms and outputs', () => {
  const alarmNamed = (name: string) =>
    onlyResource(on, 'AWS::CloudWatch::Alarm', { AlarmName: `Test-${name}` }).resource.Properties!;
  const topic = () => ref(onlyResource(on, 'AWS::SNS::Topic').id);

  it('four alarms on the alarm topic, each saying what to check first', () => {
    for (const name of ['mail-failures-not-empty', 'notifier-errors', 'mail-stream-lagging', 'mail-records-failing']) {
      const alarm = alarmNamed(name);
      expect(alarm).toMatchObject({
        AlarmActions: [topic()],
        OKActions: [topic()],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Period: 300,
      });
      expect(alarm.AlarmDescription).toMatch(/First: /);
      expect((alarm.AlarmDescription as string).length).toBeLessThanOrEqual(1024);
    }
    expect(Object.keys(on.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(14);
  });

  it('failure queue not empty: says the mails were not sent and where the records are', () => {
    const alarm = alarmNamed('mail-failures-not-empty');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(failureQueue(on).id, 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
    expect(alarm.AlarmDescription).toMatch(/NOT sent/);
    expect(alarm.AlarmDescription).toMatch(/shard and the sequence number range/);
    expect(alarm.AlarmDescription).toMatch(/24 hours/);
  });

  it('notifier errors, stream lag (IteratorAge 30 minutes) and MailRecordsFailed in three periods', () => {
    const fn = [{ Name: 'FunctionName', Value: ref(notifier(on).id) }];
    expect(alarmNamed('notifier-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: fn,
      Statistic: 'Sum',
      Threshold: 1,
    });
    expect(alarmNamed('mail-stream-lagging')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: fn,
      Statistic: 'Maximum',
      Threshold: 30 * 60 * 1000,
    });
    expect(alarmNamed('mail-records-failing')).toMatchObject({
      Namespace: 'ClerkWebhookSync/Test',
      MetricName: 'MailRecordsFailed',
      Dimensions: [{ Name: 'service', Value: NOTIFIER_SERVICE }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it('outputs the ledger table and the failure queue', () => {
    on.hasOutput('LedgerTableName', { Value: ref(ledger(on).id) });
    on.hasOutput('MailFailureQueueUrl', { Value: ref(failureQueue(on).id) });
  });
});

describe('settings', () => {
  it('from context: mailFrom turns mails on, mailSesIdentity and appName refine them', () => {
    const { template } = synthStack({}, { mailFrom: 'welcome@mail.acme.example', mailSesIdentity: 'acme.example', appName: 'Acme' });
    expect(notifierEnv(template)).toMatchObject({ MAIL_FROM: 'welcome@mail.acme.example', APP_NAME: 'Acme' });
    expect(notifierEnv(template).SES_CONFIGURATION_SET).toBeUndefined();
    expect(permissionsOfRole(template, notifierRole(template)).filter((line) => line.startsWith('ses:'))).toEqual(
      permissions(['ses:SendEmail'], [sesArn('identity/acme.example')]),
    );
  });

  it('every setting reaches the function, the event source, its filters and the lag alarm', () => {
    const { template } = synthStack({
      mail: {
        fromAddress: 'owner-welcome@acme.example',
        sesIdentity: 'owner-welcome@acme.example',
        adminRoles: ['org:owner'],
        welcomeMaxAge: Duration.days(3),
        retryAttempts: 2,
        maxRecordAge: Duration.hours(1),
        batchSize: 25,
        iteratorAgeAlarmThreshold: Duration.minutes(10),
        ledgerRemovalPolicy: RemovalPolicy.RETAIN,
      },
    });
    expect(notifierEnv(template)).toMatchObject({ ADMIN_ROLES: 'org:owner', WELCOME_MAX_AGE_DAYS: '3' });
    expect(streamMapping(template).resource.Properties).toMatchObject({
      BatchSize: 25,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 3600,
    });
    expect(filterPatterns(template)[1]).toEqual({
      dynamodb: { NewImage: { type: { S: ['membership'] }, role: { S: ['org:owner'] } } },
    });
    expect(permissionsOfRole(template, notifierRole(template)).filter((line) => line.startsWith('ses:'))).toEqual(
      permissions(['ses:SendEmail'], [sesArn('identity/owner-welcome@acme.example')]),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 600_000 });
    expect(ledger(template).resource).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('a sender that is not one address fails synth with a clear message', () => {
    for (const fromAddress of ['welcome', 'welcome@localhost', 'a@acme.example, b@acme.example', 'Acme <welcome>', 'Acme welcome@acme.example']) {
      expect(() => synthStack({ mail: { fromAddress } })).toThrow(
        /mail fromAddress must be one e-mail address, optionally with a display name/,
      );
    }
    expect(parseFromAddress('Acme Inc. <Welcome@Acme.Example>')).toEqual({ address: 'Welcome@Acme.Example', domain: 'acme.example' });
    expect(parseFromAddress(' welcome@acme.example ')).toEqual({ address: 'welcome@acme.example', domain: 'acme.example' });
  });

  it('an SES identity that does not cover the sender, or holds a wildcard, fails synth', () => {
    expect(() => synthStack({ mail: { fromAddress: 'welcome@acme.example', sesIdentity: 'other.example' } })).toThrow(
      /sesIdentity "other.example" does not cover the sender welcome@acme.example/,
    );
    expect(() => synthStack({ mail: { fromAddress: 'welcome@acme.example', sesIdentity: '*' } })).toThrow(
      /sesIdentity must be a domain or an e-mail address/,
    );
    expect(sesIdentityFor('welcome@mail.acme.example', 'Acme.Example')).toBe('acme.example');
    expect(sesIdentityFor('Acme <welcome@acme.example>')).toBe('acme.example');
  });

  it('settings the event source or the function could not honour fail synth', () => {
    const mail = (extra: object) => ({ mail: { fromAddress: 'welcome@acme.example', ...extra } });
    expect(() => synthStack(mail({ maxRecordAge: Duration.hours(24) }))).toThrow(/maxRecordAge must be from 1 minute to under 24 hours/);
    expect(() => synthStack(mail({ retryAttempts: -1 }))).toThrow(/retryAttempts must be an integer from 0 to 10000/);
    expect(() => synthStack(mail({ welcomeMaxAge: Duration.hours(36) }))).toThrow(/welcomeMaxAge must be a whole number of days/);
    expect(() => synthStack(mail({ adminRoles: [] }))).toThrow(/adminRoles must be one or more role keys/);
    expect(() => synthStack(mail({ adminRoles: ['org:admin,org:owner'] }))).toThrow(/adminRoles must be one or more role keys/);
    expect(() => synthStack({}, { appName: 'Acme' })).toThrow(/only "mailFrom" turns on/);
  });
});
