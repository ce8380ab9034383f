import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createDemoApp } from './create-demo-app.js';
import { demoConfigFromEnv, logLevelsFrom } from './demo-config.js';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres.js';

/** `npm start`: the demo host app on PORT, with an embedded PostgreSQL unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = demoConfigFromEnv();
  const logger = new ConsoleLogger('Demo', { logLevels: logLevelsFrom(config.logLevel) });
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
  await app.listen(config.port, '127.0.0.1');
  new Logger('Demo').log(`Demo app on ${config.siteUrl} (API under /api/v1).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
