import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from 'supertest/types.js';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { createDemoApp, type CreateDemoAppOptions } from '../../src/demo/create-demo-app.js';
import { CaptureLogger } from './capture-logger.js';
import { createTestDatabase } from './test-database.js';

export interface TestApp {
  app: INestApplication<App>;
  /** Base URL of the listening app, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  databaseUrl: string;
  logs: CaptureLogger;
  secretKey: string;
  adminUserName: string;
  adminPassword: string;
  close(): Promise<void>;
}

export interface StartTestAppOptions extends Partial<CreateDemoAppOptions> {
  /** Reuse a database (a second instance of the app); default: a fresh one. */
  databaseUrl?: string;
  /** Fixed port (when the site URL must be known in advance); default: a free one. */
  port?: number;
}

/**
 * Starts the demo app listening on 127.0.0.1 against a fresh database, with a bootstrap
 * admin and every log line captured at debug level.
 */
export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const logs = new CaptureLogger();
  const secretKey = options.secretKey ?? randomBytes(32).toString('hex');
  const adminUserName = options.adminUserName ?? 'admin';
  const adminPassword = options.adminPassword ?? `pw-${randomBytes(9).toString('base64url')}`;
  const port: number = options.port ?? (await freePort());
  const siteUrl = options.siteUrl ?? `http://127.0.0.1:${port}`;
  const app = (await createDemoApp({
    ...options,
    databaseUrl,
    siteUrl,
    secretKey,
    adminUserName,
    adminPassword,
    logger: logs,
  })) as INestApplication<App>;
  await app.listen(port, '127.0.0.1');
  const address = (app.getHttpServer() as unknown as Server).address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    databaseUrl,
    logs,
    secretKey,
    adminUserName,
    adminPassword,
    close: () => app.close(),
  };
}
