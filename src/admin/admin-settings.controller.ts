import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation } from '../common/openapi.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { AuthSettingsView } from '../settings/auth-settings.types.js';
import { AuthSettingsViewDto, UpdateAuthSettingsDto } from './admin-settings.dto.js';
import { AdminApi } from './admin-api.decorator.js';

@AdminApi()
@Controller('admin/authentication')
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
