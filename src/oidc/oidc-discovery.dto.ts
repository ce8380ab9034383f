import { ApiProperty } from '../common/openapi.js';
import { IsString, MaxLength } from 'class-validator';

export class DiscoverRequestDto {
  @ApiProperty({ example: 'https://idp.example.com/realms/main', maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  issuer: string;
}

/** Endpoints found by discovery, under the settings' names; nothing is saved. */
export class DiscoveryResultDto {
  @ApiProperty() issuer: string;
  @ApiProperty() authorizationEndpoint: string;
  @ApiProperty() tokenEndpoint: string;
  @ApiProperty({ type: String, nullable: true }) userInfoEndpoint: string | null;
  @ApiProperty({ type: String, nullable: true }) jwksEndpoint: string | null;
  @ApiProperty({ type: String, nullable: true }) endSessionEndpoint: string | null;
  @ApiProperty({ type: [String], description: 'Advertised by the IdP and registered here.' })
  signatureAlgorithms: string[];
  @ApiProperty({ type: [String], example: ['client_secret_post', 'client_secret_basic'] })
  tokenEndpointAuthMethods: string[];
  @ApiProperty({ description: 'RFC 9207 `authorization_response_iss_parameter_supported`.' })
  authorizationResponseIssParameterSupported: boolean;
}
