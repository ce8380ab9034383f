import {
  Body,
  Controller,
  HttpCode,
  Post,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { JsonBodyInterceptor } from '../common/json-body.interceptor.js';
import { AuthValidationPipe } from '../common/validation.pipe.js';
import { AdminGuard } from '../sessions/admin.guard.js';
import { DiscoverRequestDto, DiscoveryResultDto } from './oidc-discovery.dto.js';
import { OidcDiscoveryService } from './oidc-discovery.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('admin/authentication')
@UseGuards(AdminGuard)
@UsePipes(AuthValidationPipe)
@UseInterceptors(JsonBodyInterceptor)
export class OidcDiscoveryController {
  constructor(private readonly discovery: OidcDiscoveryService) {}

  @Post('discover')
  @HttpCode(200)
  @ApiOperation({ summary: "Reads the issuer's discovery document; saves nothing." })
  @ApiOkResponse({ type: DiscoveryResultDto })
  @ApiBadRequestResponse({ description: '`discovery_failed`, `discovery_issuer_mismatch`' })
  @ApiUnauthorizedResponse({ description: '`unauthenticated`' })
  @ApiForbiddenResponse({ description: '`forbidden` (not an admin)' })
  discover(@Body() body: DiscoverRequestDto): Promise<DiscoveryResultDto> {
    return this.discovery.discover(body.issuer);
  }
}
