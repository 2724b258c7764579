import { createServer, type Server, type Socket } from 'node:net';

/**
 * A real TCP endpoint that accepts every connection, reads what the client sends and never
 * answers: what a hung AWS endpoint looks like to an SDK client. Counts the requests it got
 * (a new request line each), so a test can see the client's attempts.
 */
export class SilentEndpoint {
  requests = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<SilentEndpoint> {
    let endpoint: SilentEndpoint | undefined;
    const server = createServer((socket) => {
      endpoint!.sockets.add(socket);
      socket.on('close', () => endpoint!.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        endpoint!.requests += (chunk.toString('latin1').match(/^(GET|POST|PUT|DELETE) \S+ HTTP\/1\.1\r$/gm) ?? []).length;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    endpoint = new SilentEndpoint(server, `http://127.0.0.1:${address.port}`);
    return endpoint;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
