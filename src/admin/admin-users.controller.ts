import {
  Body,
  Controller,
  Get,
  Param,
  Patch,
  Post,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { JsonBodyInterceptor } from '../common/json-body.interceptor.js';
import { AuthValidationPipe } from '../common/validation.pipe.js';
import { AdminGuard } from '../sessions/admin.guard.js';
import { UserViewDto } from '../users/user-view.dto.js';
import type { UserView } from '../users/user.view.js';
import { UsersService } from '../users/users.service.js';
import { CreateUserDto, UpdateUserDto } from './admin-user.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiUnauthorizedResponse({ description: '`unauthenticated`' })
@ApiForbiddenResponse({ description: '`forbidden` (not an admin)' })
@Controller('admin/users')
@UseGuards(AdminGuard)
@UsePipes(AuthValidationPipe)
@UseInterceptors(JsonBodyInterceptor)
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
