import type { INestApplication } from '@nestjs/common';

export interface AuthHttpSetupOptions {
  /** Largest JSON body accepted (`64kb`, `1mb` or bytes). Default `64kb`. */
  jsonLimit?: string | number;
  /** Largest form body accepted (back-channel logout). Default `16kb`. */
  formLimit?: string | number;
  /** Route prefix given to `setGlobalPrefix`, without slashes. Default `api/v1`. */
  globalPrefix?: string | false;
  /** Paths left out of the global prefix (pages). */
  excludeFromPrefix?: string[];
}

/** `16kb`, `1mb`, `512` or a number: bytes. */
export function parseByteLimit(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!match) throw new Error(`configureAuthHttp: "${value}" is not a size such as 64kb.`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1;
  return Math.floor(Number(match[1]) * factor);
}

interface BodyParserApp {
  useBodyParser(type: string, options?: object): unknown;
}

/**
 * Optional HTTP defaults, on Express or Fastify: capped JSON and form bodies (form bodies for
 * back-channel logout) and the global prefix. Nothing else depends on it: errors are answered
 * by the module's own filters. Call it after `NestFactory.create` and before `init`/`listen`;
 * on Express create the app with `{ bodyParser: false }` so these caps are the only parsers.
 */
export function configureAuthHttp(app: INestApplication, options: AuthHttpSetupOptions = {}): void {
  const jsonLimit = parseByteLimit(options.jsonLimit ?? '64kb');
  const formLimit = parseByteLimit(options.formLimit ?? '16kb');
  const parsers = app as unknown as BodyParserApp;
  if (app.getHttpAdapter().getType() === 'fastify') {
    parsers.useBodyParser('application/json', { bodyLimit: jsonLimit });
    parsers.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: formLimit });
  } else {
    parsers.useBodyParser('json', { limit: jsonLimit });
    parsers.useBodyParser('urlencoded', { limit: formLimit, extended: false, parameterLimit: 50 });
    (app.getHttpAdapter().getInstance() as { disable?(name: string): void }).disable?.(
      'x-powered-by',
    );
  }
  const prefix = options.globalPrefix === undefined ? 'api/v1' : options.globalPrefix;
  if (prefix) app.setGlobalPrefix(prefix, { exclude: options.excludeFromPrefix ?? [] });
}
