import { type INestApplication, type LoggerService, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureAuthHttp, UsersService } from '../index.js';
import { DemoAppModule, type DemoAppOptions } from './app.module.js';

export interface CreateDemoAppOptions extends DemoAppOptions {
  adminUserName?: string;
  adminPassword?: string;
  logger?: LoggerService | false;
}

/** Builds the demo app (not listening yet): migrations run, bootstrap admin ensured. */
export async function createDemoApp(options: CreateDemoAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(DemoAppModule.register(options), {
    bodyParser: false,
    logger: options.logger ?? undefined,
    abortOnError: false,
  });
  configureAuthHttp(app, { excludeFromPrefix: ['login', 'admin', 'me'] });
  await app.init();
  if (options.adminUserName && options.adminPassword) {
    const outcome = await app
      .get(UsersService)
      .ensureAdmin(options.adminUserName, options.adminPassword);
    if (outcome === 'created')
      new Logger('Demo').log(`Created the admin user "${options.adminUserName}".`);
  }
  return app;
}
