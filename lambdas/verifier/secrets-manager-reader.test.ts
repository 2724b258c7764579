import { type AwsJsonEndpoint, awsErrorAnswer, type EndpointAnswer, startAwsJsonEndpoint, TEST_CLIENT_SETTINGS } from '../../test/support/aws-json-endpoint';
import { createSecretsManagerReader, type SecretsManagerReader } from './secrets-manager-reader';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:clerk-signing-AbCdEf';

let endpoint: AwsJsonEndpoint;
let reader: SecretsManagerReader;
afterEach(async () => {
  reader.destroy();
  await endpoint.close();
});

async function readerAnswering(answer: EndpointAnswer): Promise<SecretsManagerReader> {
  endpoint = await startAwsJsonEndpoint(() => answer);
  reader = createSecretsManagerReader({ ...TEST_CLIENT_SETTINGS, endpoint: endpoint.url });
  return reader;
}

describe('createSecretsManagerReader', () => {
  it("reads the secret's string with GetSecretValue", async () => {
    const reader = await readerAnswering({ status: 200, json: { ARN: SECRET_ARN, SecretString: 'whsec_abc', VersionStages: ['AWSCURRENT'] } });
    expect(await reader.getSecretString(SECRET_ARN)).toBe('whsec_abc');
    expect(endpoint.requests).toEqual([
      expect.objectContaining({ target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: SECRET_ARN }) }),
    ]);
    expect(endpoint.requests[0]!.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('gives undefined for a binary secret', async () => {
    const reader = await readerAnswering({ status: 200, json: { ARN: SECRET_ARN, SecretBinary: 'AQID' } });
    expect(await reader.getSecretString(SECRET_ARN)).toBeUndefined();
  });

  it("fails with the service's error, once, when the secret does not exist", async () => {
    const reader = await readerAnswering(awsErrorAnswer(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    await expect(reader.getSecretString(SECRET_ARN)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
    expect(endpoint.requests).toHaveLength(1);
  });
});
