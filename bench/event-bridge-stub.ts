import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Answers EventBridge's PutEvents (JSON 1.1 protocol) by accepting every entry, so the bundled
 * change events publisher puts its events the way it does in AWS (SDK v3 honours
 * AWS_ENDPOINT_URL_EVENTBRIDGE). There is no EventBridge emulator to use instead.
 */
export interface EventBridgeStub {
  readonly endpoint: string;
  /** Entries accepted, and their sizes in bytes as EventBridge counts them (source, detail-type, detail). */
  entries(): number;
  entryBytes(): readonly number[];
  calls(): number;
  stop(): Promise<void>;
}

interface Entry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
}

export async function startEventBridgeStub(): Promise<EventBridgeStub> {
  let calls = 0;
  const sizes: number[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'ValidationException', message: 'only PutEvents is stubbed' }));
        return;
      }
      calls += 1;
      const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: Entry[] };
      for (const entry of Entries) {
        sizes.push(Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '') + 14);
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: randomUUID() })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    entries: () => sizes.length,
    entryBytes: () => sizes,
    calls: () => calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
