import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { AwsTransport } from '../lambdas/verifier/aws-http-transport';
import { createVerifierHandler, type VerifierHandler } from '../lambdas/verifier/create-verifier-handler';
import type { MessageSender } from '../lambdas/verifier/enqueue-event';
import { staticSecretSource } from '../lambdas/verifier/signing-secrets';
import { createSqsMessageSender } from '../lambdas/verifier/sqs-message-sender';
import { VERIFIER_DEFAULTS } from '../lambdas/verifier/verifier-config';
import { SERVICE_NAMES } from '../lambdas/shared/metrics-contract';
import { type LogMeter, MeteredLogger } from './metered-logger';
import { clerkBodyOfSize, newSigningSecret, newSvixId, signDelivery } from './payloads';
import { type Spread, spreadOf } from './stats';
import { asyncOpsPerCpuSecond } from './timing';

/**
 * The verifier's handler in process: an HTTP API v2 event in, the message handed to a queue
 * client that sends nothing. Two queue clients:
 * - stub: `sendMessage` resolves at once; what is measured is our code alone (body, headers,
 *   verification, parsing, the SQS-safe message);
 * - client: the verifier's own SQS client (lambdas/verifier/sqs-message-sender.ts) on a transport
 *   that answers at once; adds what it does for every message in Lambda (serialising, SigV4
 *   signing, checking the MD5 of the body).
 * Microseconds of CPU per event, one event at a time, 2 KB bodies, INFO logging as deployed.
 */

export interface VerifierHandlerResult {
  readonly bodyBytes: number;
  readonly microsPerEvent: Record<'stub' | 'client', Spread>;
  readonly logBytesPerEvent: number;
  readonly logLinesPerEvent: number;
}

const QUEUE_URL = 'http://127.0.0.1:1/000000000000/clerk-sync-events';

/** Answers SendMessage at once, with the MD5 the client checks. */
const answerAtOnce: AwsTransport = async (request) => {
  const { MessageBody } = JSON.parse(request.body) as { MessageBody: string };
  const answer = JSON.stringify({
    MessageId: '00000000-0000-4000-8000-000000000000',
    MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex'),
  });
  return { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(answer) };
};

function noOpTransportClient(): MessageSender {
  return createSqsMessageSender({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: 'local' },
    timeouts: VERIFIER_DEFAULTS.sqsTimeouts,
    transport: answerAtOnce,
  });
}

const stubClient: MessageSender = { sendMessage: async () => ({ messageId: '00000000-0000-4000-8000-000000000000' }) };

/** What API Gateway hands the function for one Svix delivery. */
export function httpApiEvent(headers: Record<string, string>, body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/clerk',
    rawPath: '/webhooks/clerk',
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(body)),
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'Svix-Webhooks/1.56.0',
      'x-amzn-trace-id': 'Root=1-65a1b2c3-0123456789abcdef01234567',
      'x-forwarded-for': '44.228.126.217',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...headers,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/webhooks/clerk', protocol: 'HTTP/1.1', sourceIp: '44.228.126.217', userAgent: 'Svix-Webhooks/1.56.0' },
      requestId: 'Xyz0aBcDeFgHiJ=',
      routeKey: 'POST /webhooks/clerk',
      stage: '$default',
      time: '29/May/2024:16:26:40 +0000',
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

export async function benchVerifierHandler(options: { rounds: number; sliceMs: number; bodyBytes?: number }): Promise<VerifierHandlerResult> {
  const bodyBytes = options.bodyBytes ?? 2048;
  const secret = newSigningSecret();
  const body = clerkBodyOfSize(bodyBytes);
  // Distinct deliveries, as Svix sends them; signed now, so all stay within the 5-minute window.
  const events = Array.from({ length: 64 }, () => {
    const delivery = signDelivery(secret, newSvixId(), body, Date.now());
    return httpApiEvent(delivery.headers, delivery.body);
  });
  const logs: LogMeter = { bytes: 0, lines: 0 };
  const handlerWith = (queue: MessageSender): VerifierHandler =>
    createVerifierHandler({
      queue,
      queueUrl: QUEUE_URL,
      secrets: staticSecretSource([secret]),
      maxBodyBytes: VERIFIER_DEFAULTS.maxBodyBytes,
      now: Date.now,
      logger: new MeteredLogger(logs, { serviceName: SERVICE_NAMES.verifier, logLevel: 'INFO' }),
    });
  const handlers = { stub: handlerWith(stubClient), client: handlerWith(noOpTransportClient()) };
  let next = 0;
  const invoke = (handler: VerifierHandler) => async () => {
    const response = await handler(events[next++ % events.length]!);
    if (response.statusCode !== 200) throw new Error(`verifier answered ${response.statusCode}: ${response.body}`);
    return response;
  };

  for (const handler of Object.values(handlers)) await asyncOpsPerCpuSecond(invoke(handler), options.sliceMs);
  const logsBefore = { ...logs };
  let invocations = 0;
  const samples: Record<'stub' | 'client', number[]> = { stub: [], client: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const kind of round % 2 === 0 ? (['stub', 'client'] as const) : (['client', 'stub'] as const)) {
      const count = { calls: 0 };
      const counted = async () => {
        count.calls += 1;
        return invoke(handlers[kind])();
      };
      const rate = await asyncOpsPerCpuSecond(counted, options.sliceMs);
      invocations += count.calls;
      samples[kind].push(1e6 / rate);
    }
  }
  return {
    bodyBytes,
    microsPerEvent: { stub: spreadOf(samples.stub), client: spreadOf(samples.client) },
    logBytesPerEvent: (logs.bytes - logsBefore.bytes) / invocations,
    logLinesPerEvent: (logs.lines - logsBefore.lines) / invocations,
  };
}

if (require.main === module) {
  void benchVerifierHandler({ rounds: 10, sliceMs: 200 }).then((result) => console.log(JSON.stringify(result, null, 1)));
}
