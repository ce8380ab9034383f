import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
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
import { type HttpRequest, type HttpResponse, setHeader } from '../common/http.js';
import { CurrentUser } from '../sessions/current-user.decorator.js';
import { TestSignInService } from '../test-sign-in/test-sign-in.service.js';
import type { AuthenticatedUser } from '../users/user.view.js';
import type { TestSignInStarted } from '../test-sign-in/test-sign-in.service.js';

/**
 * Identity providers besides `default`. The list starts with `default` (read-only here: it is
 * the `oidc` object of `GET/PUT /admin/authentication`).
 */
@AdminApi()
@Controller('admin/authentication/providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly testSignIn: TestSignInService,
  ) {}

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

  @Post(':id/test-sign-in')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Test sign-in through this provider with the settings as in the form (`{oidc}`, merged like PUT); saves nothing. The report is at GET /admin/authentication/test-sign-in/:id.',
  })
  @ApiCreatedResponse({ description: '`{id, authorizationUrl, expiresAt}`' })
  @ApiBadRequestResponse({ description: '`validation_failed` with `fields`' })
  @ApiNotFoundResponse({ description: '`not_found`' })
  async startTestSignIn(
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @CurrentUser() admin: AuthenticatedUser,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TestSignInStarted> {
    setHeader(response, 'Cache-Control', 'no-store');
    const candidate = await this.providers.candidate(id, body);
    return this.testSignIn.start(body, admin, request, response, candidate);
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
