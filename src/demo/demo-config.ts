import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** Settings of the demo host app, from the environment (DESIGN section 5). */
export interface DemoConfig {
  port: number;
  /** Unset: an embedded PostgreSQL under `.data/`. */
  databaseUrl: string | undefined;
  siteUrl: string;
  secretKey: string;
  adminUserName: string | undefined;
  adminPassword: string | undefined;
  logLevel: LogLevel;
  /** `LOG_FORMAT=json`: one JSON object per log line, for hosts that ship logs. */
  logFormat: 'text' | 'json';
  /** Address `npm start` listens on: `HOST`, else the site URL's loopback host, else 127.0.0.1. */
  listenHost: string;
  dataDir: string;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** `AUTH_SECRET_KEY`, or in development a key generated once and kept under `.data/`. */
function secretKeyFrom(env: NodeJS.ProcessEnv, dataDir: string): string {
  if (env.AUTH_SECRET_KEY) return env.AUTH_SECRET_KEY;
  if (env.NODE_ENV === 'production')
    throw new Error('AUTH_SECRET_KEY is required in production (64 hex characters).');
  const file = resolve(dataDir, 'secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export function demoConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}.`);
  const logLevel = (env.LOG_LEVEL ?? 'log') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  const logFormat = env.LOG_FORMAT ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    throw new Error('LOG_FORMAT must be text or json.');
  const dataDir = resolve(env.AUTH_DATA_DIR ?? '.data');
  // 127.0.0.1 rather than localhost: the printed URL is then the origin the app really listens on.
  const siteUrl = env.AUTH_SITE_URL || `http://127.0.0.1:${port}`;
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    siteUrl,
    secretKey: secretKeyFrom(env, dataDir),
    adminUserName: env.AUTH_ADMIN_USERNAME || undefined,
    adminPassword: env.AUTH_ADMIN_PASSWORD || undefined,
    logLevel,
    logFormat,
    listenHost: env.HOST || listenHostFor(siteUrl),
    dataDir,
  };
}

/** A loopback site URL is listened on exactly (127.0.0.1, ::1, localhost); anything else on 127.0.0.1 behind a proxy. */
export function listenHostFor(siteUrl: string): string {
  let host: string;
  try {
    host = new URL(siteUrl).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new Error(`AUTH_SITE_URL must be a URL, got ${siteUrl}.`);
  }
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
    ? host
    : '127.0.0.1';
}

/** The demo's logger: Nest's console logger, as JSON lines when `LOG_FORMAT=json`. */
export function demoLogger(config: Pick<DemoConfig, 'logLevel' | 'logFormat'>, context = 'Demo') {
  return new ConsoleLogger(context, {
    logLevels: logLevelsFrom(config.logLevel),
    json: config.logFormat === 'json',
  });
}

/** Nest's logger levels at and above the chosen one. */
export function logLevelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
