// A TCP proxy on 127.0.0.1 in front of Postgres that can silently freeze chosen connections
// (bytes dropped both ways, nothing closed), as a network partition or a dead NAT entry would.
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxiedConnection {
  /** Text of the client's first packet (the startup message holds application_name). */
  startup: string;
  frozen: boolean;
  client: Socket;
  upstream: Socket;
}

export interface TcpProxy {
  port: number;
  connections: ProxiedConnection[];
  /** Freezes every open connection whose startup message contains `marker`; answers how many. */
  freeze(marker: string): number;
  /** Open sockets the proxy still holds (client side). */
  openCount(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const connections: ProxiedConnection[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    const entry: ProxiedConnection = { startup: '', frozen: false, client, upstream };
    connections.push(entry);
    client.on('data', (chunk: Buffer) => {
      if (!entry.startup) entry.startup = chunk.toString('latin1');
      if (!entry.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!entry.frozen) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    freeze(marker) {
      let count = 0;
      for (const entry of connections) {
        if (!entry.client.destroyed && entry.startup.includes(marker) && !entry.frozen) {
          entry.frozen = true;
          count += 1;
        }
      }
      return count;
    },
    openCount: () => connections.filter((entry) => !entry.client.destroyed).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const entry of connections) {
          entry.client.destroy();
          entry.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
