import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Answers Secrets Manager's GetSecretValue (JSON 1.1 protocol) with a fixed value, so the
 * bundled verifier can fetch its signing secret the way it does in AWS (SDK v3 honours
 * AWS_ENDPOINT_URL_SECRETS_MANAGER). There is no Secrets Manager emulator to use instead.
 */
export interface SecretsManagerStub {
  readonly endpoint: string;
  /** GetSecretValue calls answered. */
  calls(): number;
  stop(): Promise<void>;
}

export async function startSecretsManagerStub(secretString: string): Promise<SecretsManagerStub> {
  let calls = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InvalidRequestException', message: 'only GetSecretValue is stubbed' }));
        return;
      }
      calls += 1;
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          ARN: SecretId,
          Name: SecretId.split(':').pop(),
          SecretString: secretString,
          VersionId: '00000000-0000-4000-8000-000000000000',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_700_000_000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: () => calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
