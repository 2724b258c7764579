import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClerkSyncError } from '../lambdas/shared/errors';

/**
 * A local stand-in for the HTTP API in front of the verifier: one route, turned into the
 * HTTP API payload v2 event API Gateway would send, and the handler's result turned back
 * into an HTTP response. Plus `GET /healthz` for scripts and tests that wait for start-up.
 */

export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface WebhookServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** e.g. `POST /webhooks/clerk` */
  readonly routeKey: `${string} /${string}`;
  readonly handler: HttpApiHandler;
  /** Bodies above this are refused with 413 while streaming, never buffered whole. */
  readonly maxBodyBytes: number;
  /** Until true, the route and /healthz answer 503 (the rest of the pipeline is still starting). */
  readonly isReady: () => boolean;
  /** Every request to the route and how it ended; for console reporting. */
  readonly onRouteResponse?: (exchange: RouteExchange) => void;
  /** The handler threw: API Gateway answers 500, we also want to see why. */
  readonly onHandlerError?: (error: unknown) => void;
}

export interface RouteExchange {
  readonly statusCode: number;
  /** Lower-cased request headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly responseBody: string;
}

export interface RunningWebhookServer {
  readonly port: number;
  /** `http://<host>:<port>` */
  readonly origin: string;
  stop(): Promise<void>;
}

export class WebhookServerStartError extends ClerkSyncError {
  readonly code = 'WEBHOOK_SERVER_START';
}

class BodyTooLargeError extends Error {}

const STOP_GRACE_MS = 5_000;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
/** Content types API Gateway passes as text; anything else it base64-encodes. */
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+json|[^;]*\+xml)/i;

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningWebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const [routeMethod, routePath] = options.routeKey.split(' ') as [string, string];

  const server = http.createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      options.onHandlerError?.(error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
  // API Gateway's integration timeout is 30 s; Svix gives up after 15 s anyway.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/healthz') {
      const ready = options.isReady();
      sendJson(response, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
      request.resume();
      return;
    }
    if (request.method !== routeMethod || url.pathname !== routePath) {
      // What an HTTP API answers for a route it does not have.
      sendJson(response, 404, { message: 'Not Found' });
      request.resume();
      return;
    }
    if (!options.isReady()) {
      sendJson(response, 503, { message: 'Service Unavailable: the local pipeline is still starting' });
      request.resume();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, options.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Answer and hang up: reading the rest of an oversized body would be the unbounded work we refuse to do.
      const tooLarge = { message: `Request Entity Too Large: the body exceeds ${options.maxBodyBytes} bytes` };
      response.setHeader('connection', 'close');
      sendJson(response, 413, tooLarge);
      response.once('finish', () => request.destroy());
      options.onRouteResponse?.({ statusCode: 413, headers: lowerCaseHeaders(request), body: Buffer.alloc(0), responseBody: JSON.stringify(tooLarge) });
      return;
    }
    const event = toHttpApiEvent(request, url, body, options.routeKey);
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await options.handler(event);
    } catch (error) {
      options.onHandlerError?.(error);
      const internal = { message: 'Internal Server Error' };
      sendJson(response, 500, internal);
      options.onRouteResponse?.({ statusCode: 500, headers: event.headers as Record<string, string>, body, responseBody: JSON.stringify(internal) });
      return;
    }
    const statusCode = result.statusCode ?? 200;
    const responseBody = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    response.statusCode = statusCode;
    for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
    if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
    if (!response.hasHeader('content-type') && responseBody.length > 0) response.setHeader('content-type', 'application/json');
    response.end(responseBody);
    options.onRouteResponse?.({
      statusCode,
      headers: event.headers as Record<string, string>,
      body,
      responseBody: responseBody.toString('utf8'),
    });
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new WebhookServerStartError(
          error.code === 'EADDRINUSE'
            ? `webhook server: port ${options.port} is already in use; stop what is using it or set PORT to another port`
            : `webhook server: cannot listen on ${host}:${options.port}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(options.port, host, () => resolve((server.address() as AddressInfo).port));
  });

  return {
    port,
    origin: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Requests in progress may finish (their events may already be queued); idle and lingering connections go.
        const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Reads the body, giving up as soon as it is known to exceed `limit` (declared length or bytes streamed). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLargeError());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  // rawHeaders keeps repeats; HTTP API joins repeated headers with commas and leaves cookies to `cookies`.
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!.toLowerCase();
    const value = request.rawHeaders[index + 1]!;
    if (name === 'cookie') continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** The HTTP API payload format 2.0 event API Gateway builds for this request. */
export function toHttpApiEvent(request: IncomingMessage, url: URL, body: Buffer, routeKey: string): APIGatewayProxyEventV2 {
  const headers = lowerCaseHeaders(request);
  const now = new Date();
  const contentType = headers['content-type'] ?? '';
  const utf8 = body.toString('utf8');
  // Text bodies arrive as strings, others base64-encoded; either way the verifier must see the exact bytes that were signed.
  const asText = TEXT_CONTENT_TYPE.test(contentType) && Buffer.from(utf8, 'utf8').equals(body);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim()).filter(Boolean);
  const host = headers.host ?? '127.0.0.1';
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: asText ? utf8 : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

/** API Gateway's `requestContext.time` format, e.g. `12/Mar/2020:19:03:58 +0000`. */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  response.writeHead(statusCode, JSON_HEADERS);
  response.end(JSON.stringify(body));
}
