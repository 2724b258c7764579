import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import http from 'node:http';
import {
  type HttpApiHandler,
  type RouteExchange,
  type RunningWebhookServer,
  startWebhookServer,
  WebhookServerStartError,
} from './webhook-server';

/** The local HTTP API stand-in, with a fake handler in place of the verifier. */

const servers: RunningWebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start(
  handler: HttpApiHandler,
  options: { ready?: () => boolean; maxBodyBytes?: number; port?: number; exchanges?: RouteExchange[] } = {},
): Promise<RunningWebhookServer> {
  const server = await startWebhookServer({
    port: options.port ?? 0,
    routeKey: 'POST /webhooks/clerk',
    handler,
    maxBodyBytes: options.maxBodyBytes ?? 1024,
    isReady: options.ready ?? (() => true),
    onRouteResponse: (exchange) => options.exchanges?.push(exchange),
  });
  servers.push(server);
  return server;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch so the tests control chunking, repeated headers and content-length. */
function request(
  origin: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string | string[]>; chunks?: Buffer[] } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may hang up after answering an oversized body; the answer is what matters.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

const accepted = async (): Promise<APIGatewayProxyStructuredResultV2> => ({ statusCode: 202, body: '{"ok":true}' });

describe('local webhook server', () => {
  it('passes the request to the handler as an HTTP API v2 event with the exact body bytes, and returns its response', async () => {
    const events: APIGatewayProxyEventV2[] = [];
    const exchanges: RouteExchange[] = [];
    const server = await start(async (event) => {
      events.push(event);
      return { statusCode: 202, headers: { 'x-request-id': 'abc', 'content-type': 'application/json' }, body: '{"received":true}' };
    }, { exchanges });
    const body = Buffer.from('{"type":"user.created","data":{"first_name":"Zoë ✓"}}', 'utf8');

    const response = await request(server.origin, 'POST', '/webhooks/clerk?probe=1&probe=2', {
      headers: {
        'Content-Type': 'application/json',
        'Svix-Id': 'msg_1',
        'svix-signature': 'v1,abc',
        'X-Repeated': ['one', 'two'],
        'User-Agent': 'Svix-Webhooks/1.0',
        Cookie: 'a=1; b=2',
        'Content-Length': String(body.length),
      },
      chunks: [body.subarray(0, 10), body.subarray(10)],
    });

    expect(response).toEqual(expect.objectContaining({ status: 202, body: '{"received":true}' }));
    expect(response.headers['x-request-id']).toBe('abc');
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /webhooks/clerk',
      rawPath: '/webhooks/clerk',
      rawQueryString: 'probe=1&probe=2',
      cookies: ['a=1', 'b=2'],
      headers: expect.objectContaining({
        'content-type': 'application/json',
        'svix-id': 'msg_1',
        'svix-signature': 'v1,abc',
        'x-repeated': 'one,two',
        'user-agent': 'Svix-Webhooks/1.0',
      }),
      queryStringParameters: { probe: '1,2' },
      requestContext: expect.objectContaining({
        http: { method: 'POST', path: '/webhooks/clerk', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Svix-Webhooks/1.0' },
        routeKey: 'POST /webhooks/clerk',
        stage: '$default',
        requestId: expect.any(String),
        timeEpoch: expect.any(Number),
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
      }),
      body: body.toString('utf8'),
      isBase64Encoded: false,
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(exchanges).toEqual([expect.objectContaining({ statusCode: 202, body, responseBody: '{"received":true}' })]);
  });

  it('base64-encodes bodies that are not text, so bytes that are not UTF-8 survive', async () => {
    const events: APIGatewayProxyEventV2[] = [];
    const server = await start(async (event) => {
      events.push(event);
      return { statusCode: 200 };
    });
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);

    await request(server.origin, 'POST', '/webhooks/clerk', { headers: { 'content-type': 'application/json' }, chunks: [body] });
    await request(server.origin, 'POST', '/webhooks/clerk', { headers: { 'content-type': 'application/octet-stream' }, chunks: [Buffer.from('{}')] });

    expect(events[0]!.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]!.body!, 'base64')).toEqual(body);
    expect(events[1]!.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[1]!.body!, 'base64').toString('utf8')).toBe('{}');
  });

  it('refuses a body over the limit with 413 without calling the handler, whether declared or streamed', async () => {
    const handler = jest.fn(accepted);
    const exchanges: RouteExchange[] = [];
    const server = await start(handler, { maxBodyBytes: 100, exchanges });

    const declared = await request(server.origin, 'POST', '/webhooks/clerk', {
      headers: { 'content-length': '101' },
      chunks: [Buffer.alloc(101, 0x61)],
    });
    const streamed = await request(server.origin, 'POST', '/webhooks/clerk', {
      headers: { 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 50 }, () => Buffer.alloc(64, 0x61)),
    });
    const atLimit = await request(server.origin, 'POST', '/webhooks/clerk', { chunks: [Buffer.alloc(100, 0x61)] });

    expect(declared.status).toBe(413);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ message: expect.stringContaining('100 bytes') });
    expect(atLimit.status).toBe(202);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(exchanges.map((exchange) => exchange.statusCode)).toEqual([413, 413, 202]);
  });

  it('answers 404 JSON for other paths and methods, as an HTTP API does for routes it does not have', async () => {
    const handler = jest.fn(accepted);
    const server = await start(handler);

    const otherPath = await request(server.origin, 'POST', '/webhooks/other');
    const otherMethod = await request(server.origin, 'GET', '/webhooks/clerk');

    for (const response of [otherPath, otherMethod]) {
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.body)).toEqual({ message: 'Not Found' });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 503 on /healthz and on the route until the pipeline is ready, then 200', async () => {
    let ready = false;
    const handler = jest.fn(accepted);
    const server = await start(handler, { ready: () => ready });

    const healthBefore = await request(server.origin, 'GET', '/healthz');
    const webhookBefore = await request(server.origin, 'POST', '/webhooks/clerk', { chunks: [Buffer.from('{}')] });
    ready = true;
    const healthAfter = await request(server.origin, 'GET', '/healthz');

    expect(healthBefore.status).toBe(503);
    expect(webhookBefore.status).toBe(503);
    expect(healthAfter.status).toBe(200);
    expect(JSON.parse(healthAfter.body)).toEqual({ status: 'ok' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers 500 when the handler throws, as API Gateway does for a failed integration', async () => {
    const server = await start(async () => {
      throw new Error('boom');
    });
    const response = await request(server.origin, 'POST', '/webhooks/clerk', { chunks: [Buffer.from('{}')] });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal Server Error' });
  });

  it('fails with a clear error when the port is taken', async () => {
    const first = await start(accepted);
    await expect(start(accepted, { port: first.port })).rejects.toThrow(WebhookServerStartError);
    await expect(start(accepted, { port: first.port })).rejects.toThrow(`port ${first.port} is already in use`);
  });
});
