import { createServer, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real local HTTP endpoint that plays an AWS JSON-protocol service, answering each request as
 * the test says: a canned answer (an error, throttling, a 5xx), a stall, a reset connection, or
 * the request passed on to a real engine (the SQS emulator), its answer lost on the way back if
 * asked. Faults are injected on the wire, below the client under test, not around it.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** As node:http gives them: lower-case names. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `X-Amz-Target`, e.g. `AmazonSQS.SendMessage`. */
  readonly target: string | undefined;
}

export type EndpointAnswer =
  | { readonly status: number; readonly json?: unknown; readonly text?: string; readonly headers?: Record<string, string>; readonly delayMs?: number }
  /** Read the request, never answer. */
  | { readonly hang: true }
  /** Read the request, then destroy the connection without a word. */
  | { readonly reset: true }
  /** Pass the request on to `forwardTo` (an origin); `dropAnswer`: it is applied there, but the connection is destroyed instead of answering. */
  | { readonly forwardTo: string; readonly dropAnswer?: boolean };

export type Answerer = (request: RecordedRequest, index: number) => EndpointAnswer | Promise<EndpointAnswer>;

export interface AwsJsonEndpoint {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Replaces how requests are answered from now on. */
  answerWith(answerer: Answerer): void;
  close(): Promise<void>;
}

/** What a test's client of such an endpoint is given besides the endpoint: a region, throwaway keys, short attempts. */
export const TEST_CLIENT_SETTINGS = {
  region: 'eu-central-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  timeouts: { connectionTimeoutMs: 200, requestTimeoutMs: 500, maxAttempts: 2 },
} as const;

/** An AWS JSON-protocol error answer, as the services send them. */
export function awsErrorAnswer(status: number, type: string, message: string, headers: Record<string, string> = {}): EndpointAnswer {
  return { status, json: { __type: type, message }, headers: { 'x-amzn-requestid': 'req-test', ...headers } };
}

export async function startAwsJsonEndpoint(answerer: Answerer): Promise<AwsJsonEndpoint> {
  let answer = answerer;
  let connections = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const target = incoming.headers['x-amz-target'];
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        target: Array.isArray(target) ? target[0] : target,
      };
      requests.push(recorded);
      void Promise.resolve(answer(recorded, requests.length - 1)).then(async (decided) => {
        if ('hang' in decided) return;
        if ('reset' in decided) {
          incoming.socket.destroy();
          return;
        }
        if ('forwardTo' in decided) {
          const relayed = await forward(decided.forwardTo, recorded);
          if (decided.dropAnswer) incoming.socket.destroy();
          else outgoing.writeHead(relayed.status, relayed.headers).end(relayed.body);
          return;
        }
        if (decided.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, decided.delayMs));
        const body = decided.text ?? (decided.json === undefined ? '' : JSON.stringify(decided.json));
        outgoing.writeHead(decided.status, { 'content-type': 'application/x-amz-json-1.0', ...decided.headers }).end(body);
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    answerWith: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function forward(origin: string, recorded: RecordedRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(recorded.path, origin);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: recorded.method, headers: { ...recorded.headers, host: url.host }, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(chunks) }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(recorded.body);
  });
}
