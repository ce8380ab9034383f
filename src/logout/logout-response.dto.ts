import { ApiProperty } from '../common/openapi.js';

export class LogoutResponseDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Where to send the browser to end the IdP session too (OIDC sessions), or null.',
    example: 'https://idp.example/logout?id_token_hint=...&post_logout_redirect_uri=...',
  })
  redirectUrl: string | null;
}
