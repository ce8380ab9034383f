import { ApiProperty, ApiPropertyOptional } from '../common/openapi.js';
import type {
  AuthMethod,
  AuthSettingsView,
  StoredOidcSettings,
} from '../settings/auth-settings.types.js';

/** OpenAPI shape of a team mapping row. */
class TeamMappingRowDto {
  @ApiProperty({ format: 'uuid' })
  teamId: string;
  @ApiProperty({ description: 'Group value; empty: always assigned.' })
  group: string;
}

/** OpenAPI shape of the `oidc` settings object (DESIGN section 4). */
export class OidcSettingsDto implements StoredOidcSettings {
  @ApiProperty() clientId: string;
  @ApiProperty() issuer: string;
  @ApiProperty() authorizationEndpoint: string;
  @ApiProperty() tokenEndpoint: string;
  @ApiProperty({ type: String, nullable: true }) userInfoEndpoint: string | null;
  @ApiProperty({ type: String, nullable: true }) jwksEndpoint: string | null;
  @ApiProperty({ type: String, nullable: true }) endSessionEndpoint: string | null;
  @ApiProperty({ enum: ['client_secret_post', 'client_secret_basic'] })
  tokenEndpointAuthMethod: 'client_secret_post' | 'client_secret_basic';
  @ApiProperty({ type: [String], example: ['RS256'] }) signatureAlgorithms: string[];
  @ApiProperty({ type: [String], example: ['profile', 'email'] }) scopes: string[];
  @ApiProperty({ example: 'sub' }) usernameClaim: string;
  @ApiProperty() createUser: boolean;
  @ApiProperty() sync: boolean;
  @ApiProperty({ type: String, nullable: true }) groupClaim: string | null;
  @ApiProperty() syncTeams: boolean;
  @ApiProperty({ type: [TeamMappingRowDto] }) teamMapping: TeamMappingRowDto[];
  @ApiProperty() fallback: boolean;
  @ApiProperty() allowRegularUserFallback: boolean;
  @ApiProperty() allowAdminUser: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Placeholders {siteUrl}, {clientId}.' })
  logoutUrl: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['none', 'login', 'consent', 'select_account'],
  })
  prompt: 'none' | 'login' | 'consent' | 'select_account' | null;
  @ApiProperty({ type: Number, nullable: true }) maxAge: number | null;
  @ApiProperty() pkce: boolean;
  @ApiProperty({
    enum: ['userName', 'verifiedEmail', 'never'],
    default: 'userName',
    description:
      'How a first sign-in of an unknown (issuer, subject) may bind to an existing user.',
  })
  linkExistingUsers: 'userName' | 'verifiedEmail' | 'never';
  @ApiProperty({ type: [String], description: 'Empty: everyone; else one of these groups.' })
  allowedGroups: string[];
  @ApiProperty({ type: [String], description: 'Empty: everyone; else a verified email in one.' })
  allowedEmailDomains: string[];
  @ApiProperty({ type: [String], description: 'Groups that make an admin (needs allowAdminUser).' })
  adminGroups: string[];
  @ApiProperty({ enum: ['manual', 'idp'], default: 'manual' })
  adminRoleSource: 'manual' | 'idp';
  @ApiProperty({ example: 600, description: 'Seconds a fetched JWKS is used (0 to 86400).' })
  jwksCachePeriod: number;
  @ApiProperty({
    description: 'RFC 9207: the IdP always sends `iss` in the authorization response.',
  })
  authorizationResponseIssParameterSupported: boolean;
  @ApiProperty({ description: 'The login page goes straight to the IdP.', default: false })
  autoRedirect: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 100,
    description: 'Login button text; null: "Sign in with <issuer host>".',
  })
  buttonLabel: string | null;
}

/** What `GET /admin/authentication` answers. */
export class AuthSettingsViewDto implements AuthSettingsView {
  @ApiProperty({ enum: ['password', 'oidc'] }) method: AuthMethod;
  @ApiProperty({ type: OidcSettingsDto }) oidc: OidcSettingsDto;
  @ApiProperty({ description: 'Whether a client secret is stored (it is never returned).' })
  clientSecretSet: boolean;
  @ApiProperty() redirectUri: string;
  @ApiProperty() backchannelLogoutUri: string;
}

/** `oidc` of a PUT body: every field optional; `clientSecret` write-only. */
class OidcSettingsUpdateDto {
  @ApiPropertyOptional({ description: 'Write-only; missing, null or empty keeps the stored one.' })
  clientSecret?: string | null;
}

/** OpenAPI shape of a `PUT /admin/authentication` body (partial settings). */
export class UpdateAuthSettingsDto {
  @ApiPropertyOptional({ enum: ['password', 'oidc'] }) method?: AuthMethod;
  @ApiPropertyOptional({
    type: OidcSettingsUpdateDto,
    description: 'Any subset of the oidc settings, plus clientSecret.',
  })
  oidc?: Partial<StoredOidcSettings> & { clientSecret?: string | null };
}
