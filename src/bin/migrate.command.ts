import { type CliDatabaseOptions, cliDataSource } from './migrations-data-source.js';

/** Runs the module's pending migrations, recorded in the host's migrations table; answers their names. */
export async function migrate(options: CliDatabaseOptions): Promise<string[]> {
  const dataSource = await cliDataSource(options).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
