import { ApiProperty } from '@nestjs/swagger';
import type { TeamView } from './team.view.js';

/** OpenAPI shape of a team. */
export class TeamViewDto implements TeamView {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty()
  name: string;
}
