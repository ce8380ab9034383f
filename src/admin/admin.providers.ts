import type { Provider, Type } from '@nestjs/common';
import { IdentitiesService } from '../identities/identities.service.js';
import { TeamsService } from '../teams/teams.service.js';
import { AdminAuthLogController } from './admin-auth-log.controller.js';
import { AdminSettingsController } from './admin-settings.controller.js';
import { AdminTeamsController } from './admin-teams.controller.js';
import { AdminUsersController } from './admin-users.controller.js';

/** Controllers and providers of the admin folder, registered by AuthModule. */
export const adminControllers: Type[] = [
  AdminSettingsController,
  AdminTeamsController,
  AdminUsersController,
  AdminAuthLogController,
];
export const adminProviders: Provider[] = [TeamsService, IdentitiesService];
