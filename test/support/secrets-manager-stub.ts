import { type AwsJsonEndpoint, awsErrorAnswer, type EndpointAnswer, type RecordedRequest, startAwsJsonEndpoint } from './aws-json-endpoint';

/**
 * Secrets Manager's GetSecretValue (AWS JSON 1.1) on a local endpoint: there is no Secrets
 * Manager emulator. The verifier reaches it as in AWS, through its own client, pointed here by
 * AWS_ENDPOINT_URL_SECRETS_MANAGER (the bench's bundles) or an endpoint given in code (tests).
 * Each GetSecretValue is answered by `answer(call)`: the stored value, or a fault.
 */
export type SecretAnswer =
  | { readonly secretString: string; readonly delayMs?: number }
  | { readonly secretBinary: string; readonly delayMs?: number }
  | EndpointAnswer;

export interface SecretsManagerStub {
  readonly endpoint: string;
  /** GetSecretValue requests received (each attempt of the client counts). */
  calls(): number;
  /** The GetSecretValue requests received. */
  readonly requests: readonly RecordedRequest[];
  /** From now on, answer GetSecretValue request n (0-based, counted from the start) with this. */
  answer(answerer: (call: number) => SecretAnswer): void;
  stop(): Promise<void>;
}

const JSON_1_1 = { 'content-type': 'application/x-amz-json-1.1' };

function toEndpointAnswer(secretId: string, answer: SecretAnswer): EndpointAnswer {
  if (!('secretString' in answer) && !('secretBinary' in answer)) return answer;
  return {
    status: 200,
    headers: JSON_1_1,
    ...(answer.delayMs === undefined ? {} : { delayMs: answer.delayMs }),
    json: {
      ARN: secretId,
      Name: secretId.split(':').pop(),
      ...('secretString' in answer ? { SecretString: answer.secretString } : { SecretBinary: answer.secretBinary }),
      VersionId: '00000000-0000-4000-8000-000000000000',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_700_000_000,
    },
  };
}

/** A stub that answers every GetSecretValue with `secretString` until told otherwise. */
export async function startSecretsManagerStub(secretString: string): Promise<SecretsManagerStub> {
  let answerer: (call: number) => SecretAnswer = () => ({ secretString });
  const requests: RecordedRequest[] = [];
  const endpoint: AwsJsonEndpoint = await startAwsJsonEndpoint((request) => {
    if (request.target !== 'secretsmanager.GetSecretValue') {
      return awsErrorAnswer(400, 'InvalidRequestException', 'only GetSecretValue is stubbed', JSON_1_1);
    }
    requests.push(request);
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    return toEndpointAnswer(SecretId, answerer(requests.length - 1));
  });
  return {
    endpoint: endpoint.url,
    calls: () => requests.length,
    requests,
    answer: (next) => {
      answerer = next;
    },
    stop: () => endpoint.close(),
  };
}
