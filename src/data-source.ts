// Data source for the TypeORM CLI (`typeorm migration:run -d <this file>`): the module's
// migrations only, into the table named by AUTH_MIGRATIONS_TABLE (TypeORM's default `migrations`).
import { DataSource } from 'typeorm';
import { authEntities } from './database/auth-entities.js';
import { authMigrations } from '../migrations/index.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to the PostgreSQL URL of the database to migrate.');

export default new DataSource({
  type: 'postgres',
  url,
  entities: authEntities,
  migrations: authMigrations,
  migrationsTableName: process.env.AUTH_MIGRATIONS_TABLE || 'migrations',
  uuidExtension: 'pgcrypto',
});
