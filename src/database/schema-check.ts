import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MigrationExecutor, type MigrationInterface } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { authMigrations } from '../../migrations/index.js';
import { authEntities } from './auth-entities.js';

/** The command a host runs to apply the module's migrations to its own migrations table. */
export function migrateCommand(migrationsTable: string): string {
  const table = migrationsTable === 'migrations' ? '' : ` --migrations-table ${migrationsTable}`;
  return `DATABASE_URL=<your database URL> npx nest-oidc-auth migrate${table}`;
}

/** Names of the module's entities the data source does not know. */
export function missingAuthEntities(dataSource: DataSource): string[] {
  return authEntities
    .filter((entity) => !dataSource.hasMetadata(entity))
    .map((entity) => entity.name);
}

/** Names of the module's migrations not recorded in the data source's migrations table. */
export async function pendingAuthMigrations(dataSource: DataSource): Promise<string[]> {
  // TypeORM's own reader: same table name, schema and "no table yet" handling as migration:run.
  const executed = await new MigrationExecutor(dataSource).getExecutedMigrations();
  const done = new Set(executed.map((migration) => migration.name));
  // TypeORM records an instance's `name`, else its class name.
  const names = authMigrations.map(
    (Migration) => (new Migration() as MigrationInterface).name ?? Migration.name,
  );
  return names.filter((name) => !done.has(name));
}

/**
 * Start-up check: the host registered `authEntities` and ran `authMigrations`. Stops the app
 * with what to do, instead of a 500 at the first request.
 */
@Injectable()
export class SchemaCheck implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    // A data source the host initialises later (manualInitialization) has no metadata to check yet.
    if (!this.options.schemaCheck || !this.dataSource.isInitialized) return;
    const missing = missingAuthEntities(this.dataSource);
    if (missing.length)
      throw new Error(
        `AuthModule: the TypeORM data source lacks the entities ${missing.join(', ')}. ` +
          `Add \`...authEntities\` (from 'nest-oidc-auth') to its \`entities\`.`,
      );
    const pending = await pendingAuthMigrations(this.dataSource);
    if (pending.length) {
      const table = this.dataSource.options.migrationsTableName ?? 'migrations';
      throw new Error(
        `AuthModule: migrations of the module have not run in the migrations table "${table}": ` +
          `${pending.join(', ')}. Add \`...authMigrations\` (from 'nest-oidc-auth') to the data ` +
          `source's \`migrations\` with \`migrationsRun: true\`, or run \`${migrateCommand(table)}\`.`,
      );
    }
  }
}
