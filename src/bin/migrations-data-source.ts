import { DataSource } from 'typeorm';
import { authMigrations } from '../../migrations/index.js';
import { authEntities } from '../database/auth-entities.js';

export interface CliDatabaseOptions {
  databaseUrl: string;
  /** The host's migrations table (TypeORM's default `migrations`). */
  migrationsTable?: string;
  /** PostgreSQL schema of the module's tables and the migrations table. Default the search path. */
  schema?: string;
}

/** A data source holding only the module's entities and migrations, for the CLI commands. */
export function cliDataSource(options: CliDatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    schema: options.schema,
    entities: authEntities,
    migrations: authMigrations,
    migrationsTableName: options.migrationsTable ?? 'migrations',
    uuidExtension: 'pgcrypto',
    logging: false,
  });
}
