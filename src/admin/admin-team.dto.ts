import { ApiProperty } from '../common/openapi.js';
import { IsString, Matches, MaxLength } from 'class-validator';

export class CreateTeamDto {
  @ApiProperty({ maxLength: 255, example: 'Sales' })
  @IsString()
  @MaxLength(255)
  @Matches(/\S/, { message: 'name must not be blank' })
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' })
  name: string;
}
