import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { UsersService } from './users.service.js';

/**
 * `bootstrapAdmin` option: creates that admin once every module is initialised (after the
 * schema check) when no user of that name exists; an existing user is never changed.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuthModule');

  constructor(
    private readonly users: UsersService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.options.bootstrapAdmin;
    if (!admin) return;
    const outcome = await this.users.ensureAdmin(admin.userName, admin.password);
    if (outcome === 'created') this.logger.log(`Created the admin user "${admin.userName}".`);
  }
}
