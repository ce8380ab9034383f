import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LogLevel } from '@nestjs/common';

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
  const dataDir = resolve(env.AUTH_DATA_DIR ?? '.data');
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    siteUrl: env.AUTH_SITE_URL ?? `http://localhost:${port}`,
    secretKey: secretKeyFrom(env, dataDir),
    adminUserName: env.AUTH_ADMIN_USERNAME || undefined,
    adminPassword: env.AUTH_ADMIN_PASSWORD || undefined,
    logLevel,
    dataDir,
  };
}

/** Nest's logger levels at and above the chosen one. */
export function logLevelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}
