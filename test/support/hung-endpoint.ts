import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/**
 * A real endpoint that accepts TCP connections, reads what is sent and never answers: a hung AWS
 * service, or a network path that swallows responses. Point an SDK client's `endpoint` at `url`
 * to test its timeouts without a mock.
 */
export interface HungEndpoint {
  readonly url: string;
  /** Connections accepted so far: one per SDK attempt. */
  readonly connections: () => number;
  close(): Promise<void>;
}

export async function hungEndpoint(): Promise<HungEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read the request, answer nothing
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
