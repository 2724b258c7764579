import { createHash } from 'node:crypto';
import { type AwsJsonEndpoint, startAwsJsonEndpoint } from '../../test/support/aws-json-endpoint';
import { checkSigV4 } from '../../test/support/sigv4-check';
import { readVerifierConfig } from './verifier-config';
import { type VerifierClients, verifierClientsFromEnvironment } from './verifier-clients';

/** The function's clients, built from an environment as Lambda and the stack set it, against two local endpoints. */
describe('verifierClientsFromEnvironment', () => {
  let sqs: AwsJsonEndpoint;
  let secretsManager: AwsJsonEndpoint;
  let elsewhere: AwsJsonEndpoint;
  let clients: VerifierClients | undefined;

  beforeEach(async () => {
    sqs = await startAwsJsonEndpoint((request) => {
      const { MessageBody } = JSON.parse(request.body) as { MessageBody: string };
      return { status: 200, json: { MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') } };
    });
    secretsManager = await startAwsJsonEndpoint(() => ({ status: 200, json: { SecretString: 'whsec_x' } }));
    elsewhere = await startAwsJsonEndpoint(() => ({ status: 500, json: {} }));
  });
  afterEach(async () => {
    clients?.queue.destroy();
    clients?.secretsManager.destroy();
    await Promise.all([sqs.close(), secretsManager.close(), elsewhere.close()]);
  });

  it("sends to the queue URL's host and reads the secret where AWS_ENDPOINT_URL_SECRETS_MANAGER says, signed with Lambda's credentials", async () => {
    const queueUrl = `${sqs.url}/123456789012/clerk-events`;
    const env = {
      QUEUE_URL: queueUrl,
      SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:s-AbCdEf',
      PARTITION_URL_SUFFIX: 'amazonaws.com',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session-token',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      // As with the SDK, the queue URL's host goes before an endpoint set for SQS.
      AWS_ENDPOINT_URL_SQS: elsewhere.url,
    };
    clients = verifierClientsFromEnvironment(readVerifierConfig(env), env);

    await clients.queue.sendMessage({ queueUrl, body: 'b', attributes: {} });
    expect(await clients.secretsManager.getSecretString(env.SIGNING_SECRET_ARN)).toBe('whsec_x');

    expect(elsewhere.requests).toEqual([]);
    for (const [endpoint, service] of [[sqs, 'sqs'], [secretsManager, 'secretsmanager']] as const) {
      expect(endpoint.requests).toHaveLength(1);
      const [request] = endpoint.requests;
      expect(request!.headers['x-amz-security-token']).toBe('session-token');
      const check = checkSigV4(request!, 'secret');
      expect(check.sentSignature).toBe(check.expectedSignature);
      expect(check.scope).toMatchObject({ region: 'eu-central-1', service });
    }
  });
});
