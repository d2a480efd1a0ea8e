/**
 * A unix socket that forwards each connection to a TCP address. Run inside a lab namespace, it lets
 * the host reach a service listening on a namespace-only address (the gateway, a simulator's control
 * API) without any route from the host into the lab: unix sockets are paths, not network addresses.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

export interface UnixForwarder {
  readonly socketPath: string;
  close(): Promise<void>;
}

export async function createUnixForwarder(options: {
  socketPath: string;
  host: string;
  port: number;
}): Promise<UnixForwarder> {
  rmSync(options.socketPath, { force: true });
  const server: Server = createServer((client) => {
    const upstream = connect({ host: options.host, port: options.port });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  return {
    socketPath: options.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(options.socketPath, { force: true });
      }),
  };
}
