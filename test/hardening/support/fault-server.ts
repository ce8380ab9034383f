// An HTTP server on 127.0.0.1 whose every path misbehaves in a chosen way, and which counts its
// open sockets so a test can prove the app left none behind.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'hang' }
  | { kind: 'slow'; delayMs: number; body: unknown }
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'text'; status?: number; body: string; contentType?: string }
  | { kind: 'huge'; bytes: number }
  | { kind: 'huge-declared'; bytes: number }
  | { kind: 'redirect'; location: string }
  | { kind: 'reset' };

export interface FaultServer {
  url: string;
  /** Behaviour per path; unknown paths answer 404. */
  faults: Map<string, Fault>;
  requests: number;
  openSockets(): number;
  /** Waits (up to `limitMs`) until no socket is open; answers how many remain. */
  settled(limitMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const faults = new Map<string, Fault>();
  const state = { requests: 0 };
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    state.requests++;
    request.resume();
    const fault = faults.get(new URL(request.url ?? '/', 'http://x').pathname);
    // Connection: close, so a socket still open afterwards is the client's leak, not keep-alive.
    const headers = { connection: 'close' };
    if (!fault) {
      response.writeHead(404, headers).end();
      return;
    }
    switch (fault.kind) {
      case 'hang':
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          if (!response.destroyed)
            response
              .writeHead(200, { ...headers, 'content-type': 'application/json' })
              .end(JSON.stringify(fault.body));
        }, fault.delayMs);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      case 'json':
        response
          .writeHead(fault.status ?? 200, { ...headers, 'content-type': 'application/json' })
          .end(JSON.stringify(fault.body));
        return;
      case 'text':
        response
          .writeHead(fault.status ?? 200, {
            ...headers,
            'content-type': fault.contentType ?? 'application/json',
          })
          .end(fault.body);
        return;
      case 'redirect':
        response.writeHead(302, { ...headers, location: fault.location }).end();
        return;
      case 'huge-declared':
        response.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(fault.bytes),
        });
        response.write('{"keys":[');
        return; // never sends the rest: the client must refuse on the declared length
      case 'huge': {
        // Chunked, no length: the client must stop reading at its cap.
        response.writeHead(200, { ...headers, 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        response.write('{"keys":[], "pad":"');
        const pump = (): void => {
          while (sent < fault.bytes && !response.destroyed) {
            sent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          if (!response.destroyed) response.end('"}');
        };
        pump();
        return;
      }
    }
  };
  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    get requests() {
      return state.requests;
    },
    openSockets: () => sockets.size,
    async settled(limitMs = 3000) {
      const deadline = Date.now() + limitMs;
      while (sockets.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 25));
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
