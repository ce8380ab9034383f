import { ApiProperty } from '../common/openapi.js';
import type { TeamView } from './team.view.js';

/** OpenAPI shape of a team. */
export class TeamViewDto implements TeamView {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty()
  name: string;
}
