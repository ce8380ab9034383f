import { ApiProperty } from '../common/openapi.js';
import { TeamViewDto } from '../teams/team-view.dto.js';
import type { UserView } from './user.view.js';

/** OpenAPI shape of the user object (DESIGN section 3). */
export class UserViewDto implements UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty()
  userName: string;
  @ApiProperty()
  isAdmin: boolean;
  @ApiProperty()
  isActive: boolean;
  @ApiProperty({ type: String, nullable: true })
  emailAddress: string | null;
  @ApiProperty({ type: String, nullable: true })
  phoneNumber: string | null;
  @ApiProperty({ type: String, nullable: true })
  firstName: string | null;
  @ApiProperty({ type: String, nullable: true })
  middleName: string | null;
  @ApiProperty({ type: String, nullable: true })
  lastName: string | null;
  @ApiProperty({ type: () => [TeamViewDto] })
  teams: TeamViewDto[];
}
