import { Body, Controller, Get, Put, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
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
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { AuthSettingsView } from '../settings/auth-settings.types.js';
import { AuthSettingsViewDto, UpdateAuthSettingsDto } from './admin-settings.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiUnauthorizedResponse({ description: '`unauthenticated`' })
@ApiForbiddenResponse({ description: '`forbidden` (not an admin)' })
@Controller('admin/authentication')
@UseGuards(AdminGuard)
@UsePipes(AuthValidationPipe)
@UseInterceptors(JsonBodyInterceptor)
export class AdminSettingsController {
  constructor(private readonly settings: AuthSettingsService) {}

  @Get()
  @ApiOperation({ summary: 'Authentication settings (the client secret is never returned).' })
  @ApiOkResponse({ type: AuthSettingsViewDto })
  view(): Promise<AuthSettingsView> {
    return this.settings.view();
  }

  @Put()
  @ApiOperation({
    summary:
      'Update settings: fields left out keep their value; an empty clientSecret keeps the stored one.',
  })
  @ApiBody({ type: UpdateAuthSettingsDto })
  @ApiOkResponse({ type: AuthSettingsViewDto })
  @ApiBadRequestResponse({ description: '`validation_failed` with `fields`' })
  // The body is checked by the settings validator (field names `oidc.<name>`), not by DTO classes.
  update(@Body() body: Record<string, unknown>): Promise<AuthSettingsView> {
    return this.settings.update(body);
  }
}
