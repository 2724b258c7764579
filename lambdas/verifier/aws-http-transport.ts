import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AwsTimeoutError, AwsUnexpectedResponseError, type ResponseHeaders } from './aws-json-errors';

/** A request as SignatureV4 returns it, signed. */
export interface SignedHttpRequest {
  readonly method: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface AwsHttpResponse {
  readonly statusCode: number;
  readonly headers: ResponseHeaders;
  readonly body: Buffer;
}

/** What bounds one attempt. */
export interface AttemptTimeouts {
  /** Most milliseconds to open the TCP connection (name lookup included). */
  readonly connectionTimeoutMs: number;
  /** Most milliseconds from the start of the attempt to the last byte of the answer. */
  readonly requestTimeoutMs: number;
}

/** Sends one attempt and resolves with the whole answer, whatever its status. */
export type AwsTransport = (request: SignedHttpRequest, timeouts: AttemptTimeouts) => Promise<AwsHttpResponse>;

export interface HttpTransport {
  readonly send: AwsTransport;
  /** Closes the kept-alive connections (the local pipeline and tests; a Lambda environment never does). */
  destroy(): void;
}

/** An AWS answer is small (a message id, a secret of at most 64 KB): anything this large is not one. */
const MAX_RESPONSE_BYTES = 1_048_576;

/**
 * node:https (node:http only for an `http://` endpoint, which only a local emulator or stub has),
 * with one keep-alive Agent: the first call pays for the TLS handshake, later ones reuse the
 * connection. An attempt that runs past either timeout is destroyed with a TimeoutError.
 * `lookup` replaces the name lookup (tests: one that never answers).
 */
export function createHttpTransport(protocol: string, options: { readonly lookup?: LookupFunction } = {}): HttpTransport {
  const transport = protocol === 'http:' ? http : https;
  const agent = new transport.Agent({ keepAlive: true });
  const send: AwsTransport = (request, timeouts) =>
    new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      let settled = false;
      const settle = (error: Error | undefined, response?: AwsHttpResponse): void => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        if (error === undefined) resolve(response!);
        else reject(error);
      };
      const outgoing = transport.request({
        agent,
        method: request.method,
        hostname: request.hostname,
        port: request.port,
        path: request.path,
        headers: request.headers,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      });
      const abort = (error: Error): void => {
        settle(error);
        outgoing.destroy(error);
      };
      timers.push(
        setTimeout(
          () => abort(new AwsTimeoutError(`no complete answer within the configured ${timeouts.requestTimeoutMs} ms requestTimeout`)),
          timeouts.requestTimeoutMs,
        ),
      );
      outgoing.once('socket', (socket) => {
        if (!socket.connecting) return; // a kept-alive connection
        const timer = setTimeout(
          () => abort(new AwsTimeoutError(`no connection within the configured ${timeouts.connectionTimeoutMs} ms connectionTimeout`)),
          timeouts.connectionTimeoutMs,
        );
        timers.push(timer);
        socket.once('connect', () => clearTimeout(timer));
      });
      outgoing.on('error', (error) => settle(error));
      outgoing.once('response', (incoming) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        incoming.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_RESPONSE_BYTES) abort(new AwsUnexpectedResponseError(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        incoming.on('error', (error) => settle(error));
        incoming.once('end', () => settle(undefined, { statusCode: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
        // After 'end' this changes nothing; before it, the connection broke mid-answer.
        incoming.once('close', () => settle(Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' })));
      });
      outgoing.end(request.body);
    });
  return { send, destroy: () => agent.destroy() };
}
