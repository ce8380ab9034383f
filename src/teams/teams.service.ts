import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { ProvidersService } from '../providers/providers.service.js';
import { TeamEntity } from './team.entity.js';
import { type TeamView, toTeamView } from './team.view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class TeamsService {
  private readonly logger = new Logger('Teams');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: AuthSettingsService,
    private readonly providers: ProvidersService,
  ) {}

  async list(): Promise<TeamView[]> {
    const teams = await this.dataSource.getRepository(TeamEntity).find({ order: { name: 'ASC' } });
    return teams.map(toTeamView);
  }

  async create(name: string): Promise<TeamView> {
    const repository = this.dataSource.getRepository(TeamEntity);
    try {
      return toTeamView(await repository.save(repository.create({ name: name.trim() })));
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'A team with that name already exists.', { cause: error });
      throw error;
    }
  }

  /**
   * Deletes a team, its memberships (cascade) and its rows of the settings' team mapping,
   * in one transaction, so the mapping never points at a missing team.
   */
  async delete(id: string): Promise<void> {
    if (!UUID.test(id)) throw new AuthError('not_found', 'No such team.');
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(TeamEntity).delete({ id });
      if (!result.affected) throw new AuthError('not_found', 'No such team.');
      const removed = await this.settings.removeTeamFromMapping(id, manager);
      if (removed) this.logger.log(`Removed ${removed} team mapping row(s) of a deleted team.`);
      const providers = await this.providers.removeTeamFromMappings(id, manager);
      if (providers) this.logger.log(`Removed a deleted team from ${providers} provider(s).`);
    });
    // The mappings changed: this instance reads them again at once, the others on NOTIFY.
    this.settings.changed();
  }

  /** The ids among `ids` that are teams. */
  async existing(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => UUID.test(id));
    if (!valid.length) return new Set();
    const rows = await this.dataSource
      .getRepository(TeamEntity)
      .find({ where: { id: In(valid) }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }
}
