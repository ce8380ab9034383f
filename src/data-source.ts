// Data source for the TypeORM CLI: `npx typeorm migration:run -d dist/src/data-source.js`.
import { DataSource } from 'typeorm';
import { authEntities } from './database/auth-entities.js';
import { authMigrations } from '../migrations/index.js';

export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  entities: authEntities,
  migrations: authMigrations,
  migrationsTableName: 'auth_migrations',
  uuidExtension: 'pgcrypto',
});
