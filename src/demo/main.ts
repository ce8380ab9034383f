import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoApp } from './create-demo-app.js';
import { demoConfigFromEnv, demoLogger } from './demo-config.js';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres.js';

/** `npm start`: the demo host app on PORT, with an embedded PostgreSQL unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = demoConfigFromEnv();
  const logger = demoLogger(config);
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.log(
      'DATABASE_URL is not set: starting an embedded PostgreSQL (data under .data/postgres).',
    );
    embedded = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/postgres` });
    databaseUrl = embedded.url;
  }
  const app = await createDemoApp({
    databaseUrl,
    siteUrl: config.siteUrl,
    secretKey: config.secretKey,
    adminUserName: config.adminUserName,
    adminPassword: config.adminPassword,
    logger,
  });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    new Logger('Demo').log(`${signal}: stopping.`);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));
  await app.listen(config.port, config.listenHost);
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const listening = `http://${host}:${address.port}`;
  // The site URL is the origin cookies belong to; say so when it is not the listening address.
  const open = sameOrigin(listening, config.siteUrl)
    ? ''
    : `; open it at ${config.siteUrl} (AUTH_SITE_URL)`;
  new Logger('Demo').log(`Demo app listening on ${listening}${open} (API under /api/v1).`);
}

function sameOrigin(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
