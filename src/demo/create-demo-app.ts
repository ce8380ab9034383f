import {
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  Logger,
} from '@nestjs/common';
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
  /** HTTP platform. Default `express`; `fastify` serves the API (no pages, no Swagger UI). */
  adapter?: 'express' | 'fastify';
  /** Wraps the demo module in a host root module (tests: host guards and controllers). */
  rootModule?: (demo: DynamicModule) => DynamicModule;
  /** Skip `configureAuthHttp` (tests: a host that does not call it). Default false. */
  withoutHttpSetup?: boolean;
}

async function createApp(
  module: DynamicModule,
  options: CreateDemoAppOptions,
): Promise<INestApplication> {
  const appOptions = {
    bodyParser: options.withoutHttpSetup === true,
    logger: options.logger ?? undefined,
    abortOnError: false,
  };
  if (options.adapter === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return NestFactory.create(module, new FastifyAdapter(), appOptions);
  }
  return NestFactory.create<NestExpressApplication>(module, appOptions);
}

/** Builds the demo app (not listening yet): migrations run, bootstrap admin ensured. */
export async function createDemoApp(options: CreateDemoAppOptions): Promise<INestApplication> {
  const demo = DemoAppModule.register(options);
  const app = await createApp(options.rootModule ? options.rootModule(demo) : demo, options);
  const excludeFromPrefix = [
    '/',
    'login',
    'admin',
    'admin/test-sign-in',
    'me',
    'favicon.ico',
    'assets/site-rules.js',
  ];
  if (!options.withoutHttpSetup) configureAuthHttp(app, { excludeFromPrefix });
  else app.setGlobalPrefix('api/v1', { exclude: excludeFromPrefix });
  if (options.adapter !== 'fastify') {
    // Page scripts and styles: plain files, outside the session guard (they hold no data).
    (app as NestExpressApplication).useStaticAssets(pagesFolder(), {
      prefix: '/assets/',
      index: false,
      maxAge: 0,
    });
    setupSwagger(app, app.get<ResolvedAuthOptions>(RESOLVED_AUTH_OPTIONS).sessionCookieName);
  }
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
