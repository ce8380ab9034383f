import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authMigrations } from '../../migrations/index.js';
import { Identities1795951000000 } from '../../migrations/1795951000000-identities.js';
import { createTestDatabase } from '../support/test-database.js';

describe('identities migration', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const before = authMigrations.slice(0, authMigrations.indexOf(Identities1795951000000));
    dataSource = new DataSource({
      type: 'postgres',
      url: await createTestDatabase('mig'),
      migrations: before,
      migrationsTableName: 'auth_migrations',
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('moves each (issuer, subject) of auth_user into auth_identity and drops the columns', async () => {
    await dataSource.query(
      `INSERT INTO auth_user (user_name, password_hash, idp_issuer, idp_subject, updated_at) VALUES
         ('old', '!', 'https://idp.test', 's1', now() - interval '1 day'),
         ('new', '!', 'https://idp.test', 's1', now()),
         ('other', '!', 'https://idp.test', 's2', now()),
         ('local', '!', NULL, NULL, now())`,
    );
    const runner = dataSource.createQueryRunner();
    try {
      await new Identities1795951000000().up(runner);
    } finally {
      await runner.release();
    }
    const rows = await dataSource.query<{ user_name: string; issuer: string; subject: string }[]>(
      `SELECT u.user_name, i.issuer, i.subject FROM auth_identity i
         JOIN auth_user u ON u.id = i.user_id ORDER BY i.subject`,
    );
    // A pair two users shared (the old take-over) goes to the one that signed in last.
    expect(rows).toEqual([
      { user_name: 'new', issuer: 'https://idp.test', subject: 's1' },
      { user_name: 'other', issuer: 'https://idp.test', subject: 's2' },
    ]);
    const columns = await dataSource.query<{ column_name: string }[]>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'auth_user'`,
    );
    expect(columns.map((column) => column.column_name)).not.toContain('idp_issuer');

    const down = dataSource.createQueryRunner();
    try {
      await new Identities1795951000000().down(down);
    } finally {
      await down.release();
    }
    const restored = await dataSource.query<{ user_name: string; idp_subject: string | null }[]>(
      `SELECT user_name, idp_subject FROM auth_user ORDER BY user_name`,
    );
    expect(restored).toEqual([
      { user_name: 'local', idp_subject: null },
      { user_name: 'new', idp_subject: 's1' },
      { user_name: 'old', idp_subject: null },
      { user_name: 'other', idp_subject: 's2' },
    ]);
  });
});
