import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthErrorFilter } from './common/auth-error.filter.js';

export interface AuthHttpSetupOptions {
  /** Largest JSON body accepted. Default `64kb`. */
  jsonLimit?: string;
  /** Largest form body accepted (back-channel logout). Default `16kb`. */
  formLimit?: string;
  /** Route prefix given to `setGlobalPrefix`, without slashes. Default `api/v1`. */
  globalPrefix?: string | false;
  /** Paths left out of the global prefix (pages). */
  excludeFromPrefix?: string[];
}

/**
 * HTTP defaults the module relies on: capped JSON and form bodies, the global prefix, and
 * the error filter mapping every error to `{error, message}` with a stable code. Create the
 * app with `{ bodyParser: false }` and call this before `listen`.
 */
export function configureAuthHttp(app: INestApplication, options: AuthHttpSetupOptions = {}): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: options.jsonLimit ?? '64kb' });
  express.useBodyParser('urlencoded', {
    limit: options.formLimit ?? '16kb',
    extended: false,
    parameterLimit: 50,
  });
  express.disable('x-powered-by');
  const prefix = options.globalPrefix === undefined ? 'api/v1' : options.globalPrefix;
  if (prefix) app.setGlobalPrefix(prefix, { exclude: options.excludeFromPrefix ?? [] });
  app.useGlobalFilters(new AuthErrorFilter());
}
