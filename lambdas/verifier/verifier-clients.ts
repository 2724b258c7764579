import { readLambdaAwsEnvironment, secretsManagerEndpoint, sqsEndpoint } from './aws-lambda-environment';
import { createSecretsManagerReader, type SecretsManagerReader } from './secrets-manager-reader';
import { createSqsMessageSender, type SqsMessageSender } from './sqs-message-sender';
import { type VerifierConfig, VERIFIER_DEFAULTS, VERIFIER_ENV } from './verifier-config';

/** The verifier's two AWS calls: SendMessage to the event queue, GetSecretValue of the signing secret. */
export interface VerifierClients {
  readonly queue: SqsMessageSender;
  readonly secretsManager: SecretsManagerReader;
}

/**
 * The function's clients, built once at cold start from Lambda's environment (region,
 * credentials, endpoints in the environment) with the timeouts and attempts of VERIFIER_DEFAULTS,
 * so that a hung service becomes a logged 503 within the function's timeout. Not the AWS SDK: the
 * verifier makes two calls, and loading and configuring two SDK clients was most of its cold
 * start (BENCHMARKS.md, "Cold start").
 */
export function verifierClientsFromEnvironment(config: VerifierConfig, env: NodeJS.ProcessEnv = process.env): VerifierClients {
  const { region, credentials } = readLambdaAwsEnvironment(env);
  return {
    queue: createSqsMessageSender({
      endpoint: sqsEndpoint(config.queueUrl, `environment variable ${VERIFIER_ENV.queueUrl}`),
      region,
      credentials,
      timeouts: VERIFIER_DEFAULTS.sqsTimeouts,
    }),
    secretsManager: createSecretsManagerReader({
      endpoint: secretsManagerEndpoint(region, config.partitionUrlSuffix, env),
      region,
      credentials,
      timeouts: VERIFIER_DEFAULTS.secretsManagerTimeouts,
    }),
  };
}
