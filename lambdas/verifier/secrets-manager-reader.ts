import { type AwsJsonClient, type AwsJsonClientOptions, createAwsJsonClient, SECRETS_MANAGER_SERVICE } from './aws-json-client';
import { AwsUnexpectedResponseError } from './aws-json-errors';
import type { SecretStringReader } from './secrets-manager-secret-source';

export interface SecretsManagerReader extends SecretStringReader {
  destroy(): void;
}

/** GetSecretValue over the AWS JSON 1.1 protocol: the secret's current string value. */
export function createSecretsManagerReader(options: Omit<AwsJsonClientOptions, 'service'>): SecretsManagerReader {
  const client: AwsJsonClient = createAwsJsonClient({ ...options, service: SECRETS_MANAGER_SERVICE });
  return {
    async getSecretString(secretId: string) {
      const output = await client.call('GetSecretValue', { SecretId: secretId });
      const value = output.SecretString;
      if (value === undefined || value === null) return undefined; // a binary secret
      if (typeof value !== 'string') throw new AwsUnexpectedResponseError('Secrets Manager answered GetSecretValue with a SecretString that is not a string');
      return value;
    },
    destroy: () => client.destroy(),
  };
}
