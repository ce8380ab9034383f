import { ApiProperty, ApiPropertyOptional } from '../common/openapi.js';
import { UpdateAuthSettingsDto } from '../admin/admin-settings.dto.js';

/** `POST /admin/authentication/test-sign-in` body: the settings form as it stands. */
export class StartTestSignInDto extends UpdateAuthSettingsDto {}

export class TestSignInStartedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Open it in a new tab: the IdP sign-in of the test.' })
  authorizationUrl: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

class TestSignInCheckDto {
  @ApiProperty({
    example: 'signature',
    description:
      'authorization response, state, token request, signature, iss, aud, azp, exp/iat/nbf, nonce, sub, auth_time/max_age, userinfo, sub match, user-name claim, policy',
  })
  name: string;
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ description: 'Refusal code when not ok.' }) code?: string;
  @ApiPropertyOptional() message?: string;
}

class ProvisioningPlanDto {
  @ApiProperty() userName: string;
  @ApiProperty({ enum: ['existing', 'link', 'create'] }) action: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) userId: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['identity', 'userName', 'verifiedEmail'] })
  linkedBy: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'User fields that would change: `{<field>: {from, to}}`.',
  })
  profileChanges: Record<string, { from: string | null; to: string | null }>;
  @ApiProperty({ type: [String], description: 'Team ids.' }) teamsAdded: string[];
  @ApiProperty({ type: [String], description: 'Team ids.' }) teamsRemoved: string[];
  @ApiProperty() isAdmin: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['granted', 'removed', 'kept', 'kept_last_admin'],
  })
  adminChange: string | null;
  @ApiProperty({ type: [String], description: 'Warning codes, e.g. groups_overage.' })
  warnings: string[];
}

class TestSignInResultDto {
  @ApiProperty({ enum: ['signed_in', 'refused'] }) outcome: string;
  @ApiPropertyOptional({ description: 'Refusal code.' }) code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiProperty({ type: ProvisioningPlanDto, nullable: true }) plan: ProvisioningPlanDto | null;
  @ApiProperty({ type: String, nullable: true }) userName: string | null;
}

class TestSignInIdTokenDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) header: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) claims: Record<string, unknown>;
  @ApiProperty({ description: 'Whether every ID-token check passed.' }) verified: boolean;
}

/** `GET /admin/authentication/test-sign-in/:id`: never a token, signature or secret. */
export class TestSignInReportDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['pending', 'done'] }) status: string;
  @ApiProperty({ type: [TestSignInCheckDto] }) checks: TestSignInCheckDto[];
  @ApiProperty({ type: TestSignInIdTokenDto, nullable: true })
  idToken: TestSignInIdTokenDto | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  userInfo: Record<string, unknown> | null;
  @ApiProperty({ type: TestSignInResultDto, nullable: true }) result: TestSignInResultDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}
