// Public API of the module: everything a host application imports comes from here.
export { AuthModule } from './auth.module.js';
export {
  AUTH_MODULE_OPTIONS,
  InjectAuthOptions,
  RESOLVED_AUTH_OPTIONS,
} from './auth.module-definition.js';
export type { AuthModuleOptions, ResolvedAuthOptions } from './auth-options.js';
export { resolveAuthOptions } from './auth-options.js';
export { authEntities } from './database/auth-entities.js';
export { authMigrations } from '../migrations/index.js';
export { AuthError, type AuthErrorCode, AUTH_ERROR_STATUS } from './common/auth-error.js';
export {
  REASON_AREAS,
  REASON_TEXT,
  reasonText,
  type ReasonArea,
  type ReasonCode,
  type ReasonText,
} from './common/reason-text.js';
export { safeReturnTo } from './common/url.js';
export { AuthErrorFilter } from './common/auth-error.filter.js';
export { BodyParseErrorFilter } from './common/body-parse-error.filter.js';
export type { AuthRequest, AuthRequestState } from './common/request-context.js';
export { Public } from './sessions/public.decorator.js';
export { CurrentUser } from './sessions/current-user.decorator.js';
export { SessionGuard } from './sessions/session.guard.js';
export { SessionStrategy, SESSION_STRATEGY } from './sessions/session.strategy.js';
export { OIDC_STRATEGY } from './oidc/oidc-passport.strategy.js';
export { AdminGuard } from './sessions/admin.guard.js';
export { SessionsService } from './sessions/sessions.service.js';
export { AuthSettingsService } from './settings/auth-settings.service.js';
export type {
  AuthSettingsView,
  StoredOidcSettings,
  AuthMethod,
  TeamMappingRow,
  LinkExistingUsers,
  AdminRoleSource,
} from './settings/auth-settings.types.js';
export { DEFAULT_OIDC_SETTINGS } from './settings/auth-settings.types.js';
export {
  AlgorithmRegistry,
  BUILT_IN_ALGORITHMS,
  type SignatureAlgorithmDefinition,
} from './oidc/algorithm-registry.js';
export type { UserView, AuthenticatedUser } from './users/user.view.js';
export { UserEntity } from './users/user.entity.js';
export { UsersService, type CreateUserInput } from './users/users.service.js';
export { TeamEntity } from './teams/team.entity.js';
export { IdentityEntity } from './identities/identity.entity.js';
export { IdentitiesService } from './identities/identities.service.js';
export type { IdentityView } from './identities/identity.view.js';
export {
  OidcProvisioningService,
  type ProvisioningPlan,
  type ProvisionedUser,
} from './oidc/oidc-provisioning.service.js';
export { configureAuthHttp } from './http-setup.js';
export { AuthValidationPipe } from './common/validation.pipe.js';
export { JsonBodyInterceptor } from './common/json-body.interceptor.js';
export { AuthLogService, type AuthLogView } from './auth-log/auth-log.service.js';
export { TeamsService } from './teams/teams.service.js';
export type { TeamView } from './teams/team.view.js';
export { normalizeUserName } from './users/user-name.js';
export type { AdminCreateUserInput, UpdateUserInput } from './users/users.service.js';
export { IdpKeysService, type VerifiedJws } from './oidc/idp-keys.service.js';
export {
  AuthEvents,
  type AuthEventHandler,
  type AuthEventMethod,
  type AuthSignInEvent,
  type AuthUserCreatedEvent,
  type UserCreationSource,
} from './events/auth-events.js';
export {
  SchemaCheck,
  missingAuthEntities,
  pendingAuthMigrations,
} from './database/schema-check.js';
