import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '../common/openapi.js';
import { UserViewDto } from '../users/user-view.dto.js';
import type { UserView } from '../users/user.view.js';
import { UsersService } from '../users/users.service.js';
import { CreateUserDto, UpdateUserDto } from './admin-user.dto.js';
import { AdminApi } from './admin-api.decorator.js';

@AdminApi()
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

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
}
