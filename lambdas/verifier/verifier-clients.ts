import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { clientOptions } from '../shared/sdk-client-options';
import { VERIFIER_DEFAULTS } from './verifier-config';

/**
 * The verifier's AWS clients, with the timeouts and attempts of VERIFIER_DEFAULTS, so that a hung
 * service becomes a logged 503 within the function's timeout. `overrides` (endpoint, region,
 * credentials) are for the local pipeline and tests; the function itself passes none.
 */
export function verifierSqsClient(overrides: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...clientOptions(VERIFIER_DEFAULTS.sqsTimeouts), ...overrides });
}

export function verifierSecretsManagerClient(overrides: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...clientOptions(VERIFIER_DEFAULTS.secretsManagerTimeouts), ...overrides });
}
