// Starts one PostgreSQL for the whole run: the system one when DATABASE_URL is set,
// else an embedded server in a fresh temp folder. Each test file makes its own database.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../src/demo/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let handle: EmbeddedPostgresHandle | undefined;

// embedded-postgres (through async-exit-hook) calls process.exit(0) on 'beforeExit', which
// would turn a failed run into exit code 0: an exit without a code keeps the one Vitest set.
const exitProcess = process.exit.bind(process);
process.exit = (code?: number | string | null) => exitProcess(code || process.exitCode);

export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    project.provide('databaseUrl', fromEnv);
    return;
  }
  handle = await startEmbeddedPostgres({ temporary: true });
  project.provide('databaseUrl', handle.url);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}
