#!/usr/bin/env node
// `nest-oidc-auth migrate | create-admin`: the module's database chores, runnable from a host's node_modules.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createAdmin } from './create-admin.command.js';
import { migrate } from './migrate.command.js';

const USAGE = `Usage:
  nest-oidc-auth migrate [--database-url URL] [--migrations-table NAME] [--schema NAME]
  nest-oidc-auth create-admin --user-name NAME [--password-stdin] [--database-url URL]
                              [--migrations-table NAME] [--schema NAME]

--database-url defaults to $DATABASE_URL; --migrations-table to TypeORM's default "migrations"
(use the migrationsTableName of your data source). create-admin reads the password from
$AUTH_ADMIN_PASSWORD, or from standard input with --password-stdin.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      'migrations-table': { type: 'string' },
      schema: { type: 'string' },
      'user-name': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('Give --database-url or set DATABASE_URL.');
  const database = {
    databaseUrl,
    migrationsTable: values['migrations-table'],
    schema: values.schema,
  };
  if (command === 'migrate') {
    const applied = await migrate(database);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
  } else if (command === 'create-admin') {
    const userName = values['user-name'];
    if (!userName) throw new Error('Give --user-name.');
    const password = values['password-stdin'] ? await readStdin() : process.env.AUTH_ADMIN_PASSWORD;
    if (!password)
      throw new Error(
        'Set AUTH_ADMIN_PASSWORD or pass the password on standard input with --password-stdin.',
      );
    const { outcome, userName: stored } = await createAdmin({ ...database, userName, password });
    console.log(
      outcome === 'created'
        ? `Created the admin user "${stored}".`
        : `A user "${stored}" exists already; it was left unchanged.`,
    );
  } else {
    throw new Error(`Unknown command "${command}".\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`nest-oidc-auth: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
