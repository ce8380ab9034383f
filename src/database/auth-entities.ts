import { AuthLogEntity } from '../auth-log/auth-log.entity.js';
import { IdentityEntity } from '../identities/identity.entity.js';
import { LogoutJtiEntity } from '../logout/logout-jti.entity.js';
import { LoginStateEntity } from '../oidc/login-state.entity.js';
import { SessionEntity } from '../sessions/session.entity.js';
import { AuthSettingsEntity } from '../settings/auth-settings.entity.js';
import { TeamMembershipEntity } from '../teams/team-membership.entity.js';
import { TeamEntity } from '../teams/team.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { TestSignInEntity } from '../test-sign-in/test-sign-in.entity.js';
import { ProviderEntity } from '../providers/provider.entity.js';

/** Every entity of the module: add them to the host's TypeORM `entities`. */
export const authEntities = [
  UserEntity,
  TeamEntity,
  TeamMembershipEntity,
  SessionEntity,
  AuthSettingsEntity,
  AuthLogEntity,
  LoginStateEntity,
  LogoutJtiEntity,
  IdentityEntity,
  TestSignInEntity,
  ProviderEntity,
];
