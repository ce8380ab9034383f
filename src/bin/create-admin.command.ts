import { hashPassword } from '../common/crypto.js';
import { pendingAuthMigrations } from '../database/schema-check.js';
import { MAX_USER_NAME_LENGTH, normalizeUserName } from '../users/user-name.js';
import { UserEntity } from '../users/user.entity.js';
import { type CliDatabaseOptions, cliDataSource } from './migrations-data-source.js';

export interface CreateAdminOptions extends CliDatabaseOptions {
  userName: string;
  password: string;
}

/** Creates an admin when no user of that (normalised) name exists; an existing user is never changed. */
export async function createAdmin(
  options: CreateAdminOptions,
): Promise<{ userName: string; outcome: 'created' | 'exists' }> {
  const userName = normalizeUserName(options.userName);
  if (!userName || userName.length > MAX_USER_NAME_LENGTH)
    throw new Error(`The user name must be 1 to ${MAX_USER_NAME_LENGTH} characters.`);
  if (options.password.length < 8 || options.password.length > 1024)
    throw new Error('The password must be 8 to 1024 characters.');
  const dataSource = await cliDataSource(options).initialize();
  try {
    const pending = await pendingAuthMigrations(dataSource);
    if (pending.length)
      throw new Error(`Migrations have not run (${pending.join(', ')}): run "migrate" first.`);
    const inserted = await dataSource
      .getRepository(UserEntity)
      .createQueryBuilder()
      .insert()
      .values({ userName, passwordHash: await hashPassword(options.password), isAdmin: true })
      .orIgnore()
      .execute();
    const created = Array.isArray(inserted.raw) && inserted.raw.length > 0;
    return { userName, outcome: created ? 'created' : 'exists' };
  } finally {
    await dataSource.destroy();
  }
}
