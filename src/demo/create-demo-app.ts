import { type INestApplication, type LoggerService, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  configureAuthHttp,
  RESOLVED_AUTH_OPTIONS,
  type ResolvedAuthOptions,
  UsersService,
} from '../index.js';
import { DemoAppModule, type DemoAppOptions } from './app.module.js';
import { pagesFolder } from './pages-folder.js';
import { setupSwagger } from './swagger-setup.js';

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
  configureAuthHttp(app, {
    excludeFromPrefix: [
      '/',
      'login',
      'admin',
      'admin/test-sign-in',
      'me',
      'favicon.ico',
      'assets/site-rules.js',
    ],
  });
  // Page scripts and styles: plain files, outside the session guard (they hold no data).
  app.useStaticAssets(pagesFolder(), { prefix: '/assets/', index: false, maxAge: 0 });
  setupSwagger(app, app.get<ResolvedAuthOptions>(RESOLVED_AUTH_OPTIONS).sessionCookieName);
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
