import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdpHttpClient } from '../../src/oidc/idp-http.client.js';
import { within } from '../support/session-polling.js';

/** IdP connections are kept alive between calls, and closed on a refusal and at shutdown. */
describe('IdpHttpClient connections', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  const open = new Set<Socket>();
  const perSocket = new Map<Socket, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      perSocket.set(request.socket, (perSocket.get(request.socket) ?? 0) + 1);
      request.resume();
      // The first connection's second request finds its kept-alive socket closed by the "IdP".
      if (request.url === '/stale' && perSocket.get(request.socket) === 2) {
        request.socket.destroy();
        return;
      }
      if (request.url === '/large') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ padding: 'x'.repeat(4096) }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true, url: request.url }));
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket: Socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  const client = () => new IdpHttpClient({ idpTimeoutMs: 5_000, idpMaxResponseBytes: 1024 });

  it('reuses one connection for consecutive calls and closes it at module shutdown', async () => {
    const http = client();
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const answer = await http.request(`${base}/token-${i}`, {
        method: 'POST',
        form: { grant_type: 'authorization_code', code: String(i) },
        failCode: 'token_request_failed',
        what: 'the token request',
      });
      expect(answer).toEqual({ status: 200, json: { ok: true, url: `/token-${i}` } });
    }
    expect(connections - before).toBe(1);
    expect(open.size).toBe(1);
    http.onModuleDestroy();
    expect(await within(2_000, () => Promise.resolve(open.size === 0))).toBe(true);
  });

  it('retries once on a new connection when a kept-alive socket turns out closed', async () => {
    const http = client();
    const before = connections;
    const call = () =>
      http.request(`${base}/stale`, {
        failCode: 'token_request_failed',
        what: 'the token request',
      });
    expect((await call()).status).toBe(200);
    // Sent on the pooled socket, which the server drops: answered through a fresh connection.
    expect((await call()).status).toBe(200);
    expect(connections - before).toBe(2);
    http.onModuleDestroy();
  });

  it('closes the connection of a refused answer (too large) instead of pooling it', async () => {
    const http = client();
    await expect(
      http.request(`${base}/large`, { failCode: 'discovery_failed', what: 'the discovery' }),
    ).rejects.toMatchObject({ code: 'discovery_failed' });
    expect(await within(2_000, () => Promise.resolve(open.size === 0))).toBe(true);
    // The next call opens a fresh connection and works.
    const before = connections;
    const answer = await http.request(`${base}/again`, { failCode: 'discovery_failed', what: 'x' });
    expect(answer.status).toBe(200);
    expect(connections - before).toBe(1);
    http.onModuleDestroy();
  });
});
