import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /**
   * Address subscribed to the topic (it must confirm the subscription from the e-mail AWS sends).
   * @default - no subscription: subscribe whatever you use (e-mail, chat, paging) to `AlarmTopicArn`
   */
  readonly email?: string;
}

/**
 * Where the alarms go: an SNS topic encrypted with its own KMS key, publishing only over TLS.
 *
 * A customer-managed key, not the AWS-managed `alias/aws/sns`: CloudWatch alarms cannot publish
 * to a topic under the AWS-managed key (its key policy, which nobody can edit, does not let
 * CloudWatch use it), and the alarm would fail silently.
 */
export class AlarmTopic extends Construct {
  public readonly topic: Topic;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    if (props.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.email)) {
      throw new Error(`alarmEmail must be one e-mail address, got "${props.email}"`);
    }

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the clerk-webhook-sync alarm topic',
      enableKeyRotation: true,
      // It protects notifications in transit through SNS, not stored data: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // Only the alarms of this account and region, on the key as on the topic: CloudWatch is a
    // service principal that acts for every account, so without the source conditions any
    // account's alarm could use this key (the confused-deputy problem).
    const stack = Stack.of(this);
    const alarmsHere = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromAlarmsHere = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmsHere },
    };
    // The documented key policy for CloudWatch alarms on an encrypted topic. In a key policy,
    // "*" means this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromAlarmsHere,
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'Clerk webhook sync alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which is what lets same-account alarms publish;
    // enforceSSL creates one, so the alarms of this account and region are allowed explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromAlarmsHere,
      }),
    );

    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
