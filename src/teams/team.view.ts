import type { TeamEntity } from './team.entity.js';

/** The public team object: `{id, name}`. */
export interface TeamView {
  id: string;
  name: string;
}

export function toTeamView(team: Pick<TeamEntity, 'id' | 'name'>): TeamView {
  return { id: team.id, name: team.name };
}
