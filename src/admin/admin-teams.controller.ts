import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '../common/openapi.js';
import { TeamViewDto } from '../teams/team-view.dto.js';
import type { TeamView } from '../teams/team.view.js';
import { TeamsService } from '../teams/teams.service.js';
import { CreateTeamDto } from './admin-team.dto.js';
import { AdminApi } from './admin-api.decorator.js';

@AdminApi()
@Controller('admin/teams')
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
