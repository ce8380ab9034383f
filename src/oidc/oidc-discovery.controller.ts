import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '../common/openapi.js';
import { DiscoverRequestDto, DiscoveryResultDto } from './oidc-discovery.dto.js';
import { OidcDiscoveryService } from './oidc-discovery.service.js';
import { AdminApi } from '../admin/admin-api.decorator.js';

@AdminApi()
@Controller('admin/authentication')
export class OidcDiscoveryController {
  constructor(private readonly discovery: OidcDiscoveryService) {}

  @Post('discover')
  @HttpCode(200)
  @ApiOperation({ summary: "Reads the issuer's discovery document; saves nothing." })
  @ApiOkResponse({ type: DiscoveryResultDto })
  @ApiBadRequestResponse({ description: '`discovery_failed`, `discovery_issuer_mismatch`' })
  discover(@Body() body: DiscoverRequestDto): Promise<DiscoveryResultDto> {
    return this.discovery.discover(body.issuer);
  }
}
