import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '../common/openapi.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { IdentityViewDto } from '../identities/identity-view.dto.js';
import type { IdentityView } from '../identities/identity.view.js';
import { UserViewDto } from '../users/user-view.dto.js';
import type { UserView } from '../users/user.view.js';
import { UsersService } from '../users/users.service.js';
import { CreateUserDto, LinkIdentityDto, UpdateUserDto } from './admin-user.dto.js';
import { AdminApi } from './admin-api.decorator.js';

@AdminApi()
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly identities: IdentitiesService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every user, by name, with teams.' })
  @ApiOkResponse({ type: [UserViewDto] })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a user (teamIds become manual memberships).' })
  @ApiCreatedResponse({ type: UserViewDto })
  @ApiConflictResponse({ description: '`conflict`: the user name is taken' })
  create(@Body() body: CreateUserDto): Promise<UserView> {
    return this.users.createByAdmin(body);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change a user. teamIds replaces the memberships; deactivation or a new password ends the user’s sessions.',
  })
  @ApiOkResponse({ type: UserViewDto })
  @ApiNotFoundResponse({ description: '`not_found`' })
  @ApiConflictResponse({ description: '`conflict`: name taken, or the last active admin' })
  update(@Param('id') id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(id, body);
  }

  @Get(':id/identities')
  @ApiOperation({ summary: 'The OIDC identities (issuer, subject) bound to a user.' })
  @ApiOkResponse({ type: [IdentityViewDto] })
  @ApiNotFoundResponse({ description: '`not_found`' })
  listIdentities(@Param('id') id: string): Promise<IdentityView[]> {
    return this.identities.list(id);
  }

  @Post(':id/identities')
  @ApiOperation({
    summary: 'Bind an IdP account (issuer, subject) to a user, e.g. for linkExistingUsers "never".',
  })
  @ApiCreatedResponse({ type: IdentityViewDto })
  @ApiNotFoundResponse({ description: '`not_found`' })
  @ApiConflictResponse({
    description: '`conflict`: bound already, or the user has an identity of that issuer',
  })
  linkIdentity(@Param('id') id: string, @Body() body: LinkIdentityDto): Promise<IdentityView> {
    return this.identities.link(id, body.issuer, body.subject);
  }

  @Delete(':id/identities/:identityId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unbind an identity and end its sessions; its next sign-in is a first sign-in again.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: '`not_found`' })
  async removeIdentity(
    @Param('id') id: string,
    @Param('identityId') identityId: string,
  ): Promise<void> {
    await this.identities.remove(id, identityId);
  }
}
