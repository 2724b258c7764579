import * as iam from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Lets `grantee` read the secret's value and nothing else: `grantRead` would add DescribeSecret,
 * which no function here calls. Secrets Manager appends a random 6-character suffix to every
 * secret ARN; a secret known only by name is matched by `-??????` (as CDK's own grants do), where
 * each `?` is exactly one character, not a `*`.
 */
export function grantSecretValue(grantee: iam.IGrantable, secret: ISecret): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });
}
