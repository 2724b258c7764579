import { type AwsJsonEndpoint, awsErrorAnswer, type EndpointAnswer, startAwsJsonEndpoint } from '../../test/support/aws-json-endpoint';
import { checkSigV4 } from '../../test/support/sigv4-check';
import { createHttpTransport } from './aws-http-transport';
import { type AwsJsonClientOptions, createAwsJsonClient, SECRETS_MANAGER_SERVICE, SQS_SERVICE } from './aws-json-client';
import { AwsServiceError, AwsTimeoutError, AwsUnexpectedResponseError } from './aws-json-errors';

/** The verifier's AWS client against a real local HTTP server that answers as each test says. */

const CREDENTIALS = { accessKeyId: 'ASIAEXAMPLEKEYID', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token' };
const FAST = { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 2 };
const ok: EndpointAnswer = { status: 200, json: { Done: true } };

const endpoints: AwsJsonEndpoint[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.close()));
});

async function endpointAnswering(...answers: EndpointAnswer[]): Promise<AwsJsonEndpoint> {
  const endpoint = await startAwsJsonEndpoint((_request, index) => answers[Math.min(index, answers.length - 1)]!);
  endpoints.push(endpoint);
  return endpoint;
}

function clientFor(endpoint: AwsJsonEndpoint | string, options: Partial<AwsJsonClientOptions> = {}) {
  const client = createAwsJsonClient({
    service: SQS_SERVICE,
    endpoint: typeof endpoint === 'string' ? endpoint : endpoint.url,
    region: 'eu-central-1',
    credentials: CREDENTIALS,
    timeouts: FAST,
    random: () => 0.5,
    ...options,
  });
  clients.push(client);
  return client;
}

describe('createAwsJsonClient: the request', () => {
  it('POSTs the JSON input to / with the operation in X-Amz-Target, as AWS JSON 1.0 for SQS', async () => {
    const endpoint = await endpointAnswering(ok);
    const output = await clientFor(endpoint).call('SendMessage', { QueueUrl: 'https://sqs.example/q', MessageBody: 'hello' });
    expect(output).toEqual({ Done: true });
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/', target: 'AmazonSQS.SendMessage', body: '{"QueueUrl":"https://sqs.example/q","MessageBody":"hello"}' });
    expect(request!.headers).toMatchObject({
      host: new URL(endpoint.url).host,
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(request!.body)),
      'x-amzn-query-mode': 'true',
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
  });

  it('speaks AWS JSON 1.1 to Secrets Manager, without the query mode, under a path the endpoint has', async () => {
    const endpoint = await endpointAnswering(ok);
    await clientFor(`${endpoint.url}/stage`, { service: SECRETS_MANAGER_SERVICE }).call('GetSecretValue', { SecretId: 's' });
    const [request] = endpoint.requests;
    expect(request).toMatchObject({ path: '/stage/', target: 'secretsmanager.GetSecretValue', body: '{"SecretId":"s"}' });
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request!.headers['x-amzn-query-mode']).toBeUndefined();
  });

  it('signs with SigV4 what a verifier of SigV4 accepts: host, date, target, content type and the session token signed', async () => {
    const endpoint = await endpointAnswering(ok);
    await clientFor(endpoint).call('SendMessage', { MessageBody: 'Zoë 🚀 "quoted"' });
    const [request] = endpoint.requests;
    const check = checkSigV4(request!, CREDENTIALS.secretAccessKey);
    expect(check.sentSignature).toBe(check.expectedSignature);
    expect(check.accessKeyId).toBe(CREDENTIALS.accessKeyId);
    expect(check.scope).toEqual({ date: String(request!.headers['x-amz-date']).slice(0, 8), region: 'eu-central-1', service: 'sqs' });
    expect(check.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type', 'x-amz-security-token']));
  });

  it('is refused by the same verifier when anything signed changes on the way, or with another secret key', async () => {
    const endpoint = await endpointAnswering(ok);
    await clientFor(endpoint).call('SendMessage', { MessageBody: 'original' });
    const [request] = endpoint.requests;
    const tampered = [
      { ...request!, body: request!.body.replace('original', 'tampered') },
      { ...request!, headers: { ...request!.headers, 'x-amz-target': 'AmazonSQS.DeleteQueue' } },
    ];
    for (const changed of tampered) {
      const check = checkSigV4(changed, CREDENTIALS.secretAccessKey);
      expect(check.sentSignature).not.toBe(check.expectedSignature);
    }
    const otherKey = checkSigV4(request!, 'another-secret-key');
    expect(otherKey.sentSignature).not.toBe(otherKey.expectedSignature);
  });

  it('sends no security token for long-lived keys (the local pipeline)', async () => {
    const endpoint = await endpointAnswering(ok);
    await clientFor(endpoint, { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }).call('SendMessage', {});
    const [request] = endpoint.requests;
    expect(request!.headers['x-amz-security-token']).toBeUndefined();
    const check = checkSigV4(request!, 'local');
    expect(check.sentSignature).toBe(check.expectedSignature);
  });

  it('reuses its kept-alive connection for the next call', async () => {
    const endpoint = await endpointAnswering(ok);
    const client = clientFor(endpoint);
    await client.call('SendMessage', {});
    await client.call('SendMessage', {});
    expect(endpoint.requests).toHaveLength(2);
    expect(endpoint.connections()).toBe(1);
  });
});

describe('createAwsJsonClient: failures', () => {
  it('carries the service error code, message, status and request id; a 4xx is not retried', async () => {
    const endpoint = await endpointAnswering(awsErrorAnswer(400, 'com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.', {
      'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
    }));
    const failure = clientFor(endpoint).call('SendMessage', {});
    await expect(failure).rejects.toThrow(AwsServiceError);
    await expect(failure).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      code: 'QueueDoesNotExist',
      queryErrorCode: 'AWS.SimpleQueueService.NonExistentQueue',
      statusCode: 400,
      requestId: 'req-test',
      message: 'The specified queue does not exist. (AWS.SimpleQueueService.NonExistentQueue)',
    });
    expect(endpoint.requests).toHaveLength(1);
  });

  it.each([
    ['a 500', awsErrorAnswer(500, 'InternalFailure', 'We encountered an internal error.')],
    ['a 503 without a JSON body', { status: 503, text: '<html>Service Unavailable</html>' }],
    ['ThrottlingException', awsErrorAnswer(400, 'ThrottlingException', 'Rate exceeded')],
    ["SQS's RequestThrottled (query error header)", awsErrorAnswer(400, 'com.amazonaws.sqs#RequestThrottled', 'Request is throttled.', { 'x-amzn-query-error': 'AWS.SimpleQueueService.RequestThrottled;Sender' })],
    ['a 429', { status: 429, json: { message: 'Too Many Requests' } }],
    ['a reset connection', { reset: true } as const],
  ])('retries after %s and returns what the next attempt gets', async (_case, fault) => {
    const endpoint = await endpointAnswering(fault, ok);
    expect(await clientFor(endpoint).call('SendMessage', {})).toEqual({ Done: true });
    expect(endpoint.requests).toHaveLength(2);
    // Each attempt is signed afresh, and each signature holds.
    for (const request of endpoint.requests) {
      const check = checkSigV4(request, CREDENTIALS.secretAccessKey);
      expect(check.sentSignature).toBe(check.expectedSignature);
    }
  });

  it('gives up after its attempts with the last failure', async () => {
    const endpoint = await endpointAnswering(awsErrorAnswer(503, 'ServiceUnavailable', 'Service Unavailable'));
    await expect(clientFor(endpoint, { timeouts: { ...FAST, maxAttempts: 3 } }).call('SendMessage', {})).rejects.toThrow(
      expect.objectContaining({ name: 'ServiceUnavailable', message: 'Service Unavailable', statusCode: 503 }),
    );
    expect(endpoint.requests).toHaveLength(3);
  });

  it('names a non-JSON error answer by its status', async () => {
    const endpoint = await endpointAnswering({ status: 403, text: 'Forbidden' });
    await expect(clientFor(endpoint).call('SendMessage', {})).rejects.toMatchObject({ name: 'Http403Error', message: 'HTTP 403 without an AWS error message' });
  });

  it('takes the code from x-amzn-errortype when the body has none', async () => {
    const endpoint = await endpointAnswering({ status: 400, json: { Message: 'User is not authorized' }, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' } });
    await expect(clientFor(endpoint).call('SendMessage', {})).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'User is not authorized' });
    expect(endpoint.requests).toHaveLength(1);
  });

  it('refuses a 2xx that is not a JSON object, without quoting it (it could hold a secret) and without retrying', async () => {
    const endpoint = await endpointAnswering({ status: 200, text: 'whsec_notJson' });
    const failure = clientFor(endpoint, { service: SECRETS_MANAGER_SERVICE }).call('GetSecretValue', {});
    await expect(failure).rejects.toThrow(new AwsUnexpectedResponseError('Secrets Manager answered GetSecretValue with 13 bytes that are not a JSON object'));
    expect(endpoint.requests).toHaveLength(1);
  });

  it('never puts the signature or the secret key in an error', async () => {
    const endpoint = await endpointAnswering(awsErrorAnswer(400, 'AccessDeniedException', 'not authorized'));
    const error = (await clientFor(endpoint).call('SendMessage', {}).catch((caught: unknown) => caught)) as Error;
    const signature = String(endpoint.requests[0]!.headers.authorization).split('Signature=')[1]!;
    const text = `${error.name} ${error.message} ${JSON.stringify(error)}`;
    for (const secret of [signature, CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken]) expect(text).not.toContain(secret);
  });
});

describe('createAwsJsonClient: timeouts', () => {
  it('aborts an attempt that gets no answer within its request timeout, and retries it once', async () => {
    const endpoint = await endpointAnswering({ hang: true });
    const started = Date.now();
    const failure = clientFor(endpoint).call('SendMessage', {});
    await expect(failure).rejects.toThrow(new AwsTimeoutError('no complete answer within the configured 300 ms requestTimeout'));
    const elapsed = Date.now() - started;
    expect(endpoint.connections()).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(2 * FAST.requestTimeoutMs - 20);
    // Two attempts and one wait of at most 50 ms (random 0.5 here: 25 ms), with room for a busy machine.
    expect(elapsed).toBeLessThan(2 * FAST.requestTimeoutMs + 50 + 500);
  });

  it('aborts an attempt whose answer comes too late, instead of waiting for it', async () => {
    const endpoint = await endpointAnswering({ status: 200, json: { Done: true }, delayMs: 1_000 });
    await expect(clientFor(endpoint, { timeouts: { ...FAST, maxAttempts: 1 } }).call('SendMessage', {})).rejects.toThrow(AwsTimeoutError);
  });

  it('aborts a connection that is not made within the connection timeout (a name lookup that never answers)', async () => {
    const endpoint = await endpointAnswering(ok);
    let lookups = 0;
    const transport = createHttpTransport('http:', {
      lookup: () => {
        lookups += 1;
      },
    });
    clients.push(transport);
    const started = Date.now();
    await expect(
      clientFor(endpoint.url.replace('127.0.0.1', 'hung.example'), { transport: transport.send, timeouts: { connectionTimeoutMs: 100, requestTimeoutMs: 1_000, maxAttempts: 2 } }).call('SendMessage', {}),
    ).rejects.toThrow(new AwsTimeoutError('no connection within the configured 100 ms connectionTimeout'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lookups).toBe(2);
    expect(endpoint.requests).toHaveLength(0);
  });
});
