import * as path from 'node:path';
import { Aws, Token, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAMES } from '../../lambdas/shared/metrics-contract';
import { positiveInteger } from '../../lambdas/shared/require-env';
import { parseSourceIpAllowList, SVIX_SOURCE_IPS_KEYWORD } from '../../lambdas/verifier/source-ip-allow-list';
import { parseInstanceIds, VERIFIER_DEFAULTS, VERIFIER_ENV } from '../../lambdas/verifier/verifier-config';
import { PIPELINE_DEFAULTS } from '../pipeline-defaults';
import { type FunctionLoggingProps, functionLogging, NodeFunction, PROJECT_ROOT } from './node-function';
import { grantSecretValue } from './secret-value-grant';

export interface WebhookVerifierProps extends FunctionLoggingProps {
  /** Where verified events go. The verifier may only send to it. */
  readonly queue: IQueue;
  /**
   * Name of an existing Secrets Manager secret holding the signing secret(s) (`whsec_...`).
   * @default - a new secret is created (see `signingSecret`)
   */
  readonly existingSigningSecretName?: string;
  /**
   * Complete ARN (with the 6-character suffix) of an existing signing secret.
   * @default - a new secret is created (see `signingSecret`)
   */
  readonly existingSigningSecretArn?: string;
  /**
   * Largest webhook body accepted, in bytes.
   * @default VERIFIER_DEFAULTS.maxBodyBytes (256 KiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Memory of the verifier function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Ids of the Clerk instances (`ins_…`) whose events are queued. An authenticated event of any
   * other instance, or without `instance_id`, is acknowledged (2xx, so Svix stops retrying),
   * counted as `WebhooksForeignInstance` and never queued.
   * @default - events of any instance are queued; each instance is named in a warning the first time a verifier sees it
   */
  readonly allowedInstanceIds?: readonly string[];
  /**
   * Source addresses requests must come from, checked before anything else (403 otherwise):
   * `'svix'` for the ranges Svix publishes (lambdas/verifier/svix-source-ips.ts), or a list of
   * IPv4/IPv6 addresses and CIDR ranges, which may include `'svix'`.
   * @default - any source
   */
  readonly allowedSourceIps?: 'svix' | readonly string[];
}

/** Lambda allows 4 KB for all environment variables of a function together. */
const MAX_LIST_ENV_CHARS = 2_048;

/**
 * The verifier Lambda and the signing secret it reads. A created secret holds a random
 * placeholder, never the real value: the template must not carry it. After the first deploy:
 * `aws secretsmanager put-secret-value --secret-id <SigningSecretArn> --secret-string whsec_...`.
 * Until then the verifier cannot verify and answers 5xx, which Svix retries for about 28 hours.
 */
export class WebhookVerifier extends Construct {
  public readonly function: IFunction;
  public readonly nodeFunction: NodeFunction;
  public readonly signingSecret: ISecret;
  /** True when this construct created the secret (it then holds a placeholder until replaced). */
  public readonly signingSecretCreated: boolean;

  constructor(scope: Construct, id: string, props: WebhookVerifierProps) {
    super(scope, id);
    const { existingSigningSecretName: name, existingSigningSecretArn: arn } = props;
    if (name !== undefined && arn !== undefined) {
      throw new Error('give either existingSigningSecretName or existingSigningSecretArn, not both');
    }
    this.signingSecretCreated = name === undefined && arn === undefined;
    const maxBodyBytes = props.maxBodyBytes ?? VERIFIER_DEFAULTS.maxBodyBytes;
    // The function's own rule, so what it would refuse at cold start fails the synth instead.
    if (!Token.isUnresolved(maxBodyBytes)) positiveInteger(maxBodyBytes, 'maxBodyBytes');
    const allowedInstanceIds = listEnvironment(props.allowedInstanceIds, 'allowedInstanceIds', parseInstanceIds);
    const allowedSourceIps = listEnvironment(
      props.allowedSourceIps === SVIX_SOURCE_IPS_KEYWORD ? [SVIX_SOURCE_IPS_KEYWORD] : props.allowedSourceIps,
      'allowedSourceIps',
      parseSourceIpAllowList,
    );
    if (arn !== undefined) {
      this.signingSecret = Secret.fromSecretCompleteArn(this, 'SigningSecret', arn);
    } else if (name !== undefined) {
      this.signingSecret = Secret.fromSecretNameV2(this, 'SigningSecret', name);
    } else {
      const created = new Secret(this, 'SigningSecret', {
        description:
          'Clerk webhook signing secret(s), whsec_..., space or comma separated. Created with a random placeholder: put the value from the Clerk dashboard.',
        generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 32 },
      });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Clerk issues and rotates the webhook signing secret in its dashboard; AWS cannot rotate it. During a rotation the secret holds both values (the verifier accepts a list).',
      });
      this.signingSecret = created;
    }

    this.nodeFunction = new NodeFunction(this, 'Verifier', {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'verifier', 'index.ts'),
      description: 'Verifies Clerk (Svix) webhook signatures and queues the verified events',
      serviceName: SERVICE_NAMES.verifier,
      timeout: PIPELINE_DEFAULTS.verifierTimeout,
      memorySize: props.memorySize,
      ...functionLogging(props),
      environment: {
        [VERIFIER_ENV.queueUrl]: props.queue.queueUrl,
        [VERIFIER_ENV.signingSecretArn]: this.signingSecret.secretArn,
        [VERIFIER_ENV.maxBodyBytes]: String(maxBodyBytes),
        // Secrets Manager's endpoint in this partition (the verifier's own AWS client resolves no partitions).
        [VERIFIER_ENV.partitionUrlSuffix]: Aws.URL_SUFFIX,
        ...(allowedInstanceIds === undefined ? {} : { [VERIFIER_ENV.allowedInstanceIds]: allowedInstanceIds }),
        ...(allowedSourceIps === undefined ? {} : { [VERIFIER_ENV.allowedSourceIps]: allowedSourceIps }),
      },
    });
    this.function = this.nodeFunction.function;

    grantSecretValue(this.function, this.signingSecret);
    // grantSendMessages would add GetQueueAttributes and GetQueueUrl; the URL comes from the environment.
    props.queue.grant(this.function, 'sqs:SendMessage');
  }
}

/**
 * A list prop as the function reads it from its environment: comma-separated, checked at synth
 * by the function's own parser, so what it would refuse at cold start fails the synth instead.
 */
function listEnvironment(
  values: readonly string[] | undefined,
  prop: string,
  parse: (value: string, source: string) => unknown,
): string | undefined {
  if (values === undefined) return undefined;
  const value = values.join(',');
  if (values.some((entry) => Token.isUnresolved(entry))) return value;
  parse(value, prop);
  if (value.length > MAX_LIST_ENV_CHARS) {
    throw new Error(`${prop} is ${value.length} characters; at most ${MAX_LIST_ENV_CHARS} fit in the function's environment`);
  }
  return value;
}
