import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
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
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { JsonBodyInterceptor } from '../common/json-body.interceptor.js';
import { AuthValidationPipe } from '../common/validation.pipe.js';
import { AdminGuard } from '../sessions/admin.guard.js';
import { TeamViewDto } from '../teams/team-view.dto.js';
import type { TeamView } from '../teams/team.view.js';
import { TeamsService } from '../teams/teams.service.js';
import { CreateTeamDto } from './admin-team.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiCookieAuth()
@ApiUnauthorizedResponse({ description: '`unauthenticated`' })
@ApiForbiddenResponse({ description: '`forbidden` (not an admin)' })
@Controller('admin/teams')
@UseGuards(AdminGuard)
@UsePipes(AuthValidationPipe)
@UseInterceptors(JsonBodyInterceptor)
export class AdminTeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @ApiOperation({ summary: 'Every team, by name.' })
  @ApiOkResponse({ type: [TeamViewDto] })
  list(): Promise<TeamView[]> {
    return this.teams.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a team.' })
  @ApiCreatedResponse({ type: TeamViewDto })
  @ApiConflictResponse({ description: '`conflict`: the name is taken' })
  create(@Body() body: CreateTeamDto): Promise<TeamView> {
    return this.teams.create(body.name);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a team, its memberships and its rows of the settings team mapping.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: '`not_found`' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.teams.delete(id);
  }
}
