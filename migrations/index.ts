import { Initial1795920498238 } from './1795920498238-initial.js';

/** Every migration of the module, oldest first: add them to the host's TypeORM `migrations`. */
export const authMigrations = [Initial1795920498238];
