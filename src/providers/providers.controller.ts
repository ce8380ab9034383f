import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { AdminApi } from '../admin/admin-api.decorator.js';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '../common/openapi.js';
import type { ProviderDeleted, ProviderView } from './provider.types.js';
import { ProvidersService } from './providers.service.js';

/**
 * Identity providers besides `default`. The list starts with `default` (read-only here: it is
 * the `oidc` object of `GET/PUT /admin/authentication`).
 */
@AdminApi()
@Controller('admin/authentication/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Get()
  @ApiOperation({ summary: 'Every provider, `default` first (client secrets never returned).' })
  @ApiOkResponse({ description: 'Array of providers.' })
  list(): Promise<ProviderView[]> {
    return this.providers.list();
  }

  @Post()
  @ApiOperation({ summary: 'Adds a provider `{id, label, enabled, oidc}` (oidc as in PUT).' })
  @ApiCreatedResponse({ description: 'The provider.' })
  @ApiBadRequestResponse({ description: '`validation_failed` with `fields`' })
  @ApiConflictResponse({ description: '`conflict`: the id is taken' })
  // The body is checked by the settings validator (field names `oidc.<name>`), not by DTO classes.
  create(@Body() body: Record<string, unknown>): Promise<ProviderView> {
    return this.providers.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One provider.' })
  @ApiOkResponse({ description: 'The provider.' })
  @ApiNotFoundResponse({ description: '`not_found`' })
  view(@Param('id') id: string): Promise<ProviderView> {
    return this.providers.view(id);
  }

  @Put(':id')
  @ApiOperation({
    summary:
      'Updates a provider: fields left out keep their value; an empty clientSecret keeps the stored one.',
  })
  @ApiOkResponse({ description: 'The provider.' })
  @ApiBadRequestResponse({ description: '`validation_failed` with `fields`' })
  @ApiNotFoundResponse({ description: '`not_found`' })
  @ApiConflictResponse({
    description: '`conflict`: `default` is changed through PUT /admin/authentication',
  })
  update(@Param('id') id: string, @Body() body: Record<string, unknown>): Promise<ProviderView> {
    return this.providers.update(id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deletes a provider and revokes its sessions; its users stay.' })
  @ApiOkResponse({ description: '`{id, sessionsRevoked}`' })
  @ApiNotFoundResponse({ description: '`not_found`' })
  @ApiConflictResponse({ description: '`conflict`: `default` cannot be deleted' })
  remove(@Param('id') id: string): Promise<ProviderDeleted> {
    return this.providers.remove(id);
  }
}
