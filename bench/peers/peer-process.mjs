// One peer app in its own process (config as JSON in BENCH_PEER); `{type: 'ready'}` once listening.
import { processCpuUs } from '../lib/cpu.mjs';
import { profileStart, profileStop } from '../lib/profiler.mjs';

const config = JSON.parse(process.env.BENCH_PEER ?? '{}');
let app;
const serverTimes = [];
try {
  const { createPeer } = await import(`./${config.peer}.mjs`);
  app = await createPeer(config);
  await app.listen(config.port, '127.0.0.1');
  // Idle keep-alive sockets outlive the pauses between rounds (a server closing one races a reuse).
  app.getHttpServer().keepAliveTimeout = 120_000;
  // Peer-side time of the login requests, measured as in bench/lib/app-process.mjs.
  app.getHttpServer().prependListener('request', (request, response) => {
    if (!request.url?.includes('/auth/')) return;
    const started = performance.now();
    response.once('finish', () => serverTimes.push([request.url, performance.now() - started]));
  });
} catch (error) {
  process.send({ type: 'error', message: String(error?.stack ?? error) });
  process.exit(1);
}
process.on('message', async (message) => {
  if (message.type === 'call') {
    const commands = {
      serverTimes: () => serverTimes.splice(0),
      profileStart,
      profileStop,
      cpu: processCpuUs,
    };
    const value = await commands[message.cmd]?.(message.args);
    process.send({ type: 'reply', id: message.id, value });
  }
  if (message.type !== 'stop') return;
  await app.close().catch(() => undefined);
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: `http://127.0.0.1:${config.port}` });
