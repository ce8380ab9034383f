import { ApiProperty } from '../common/openapi.js';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { UserViewDto } from '../users/user-view.dto.js';

export class LoginDto {
  @ApiProperty({ example: 'admin', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  username: string;

  @ApiProperty({ format: 'password', maxLength: 1024 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Session token for `Authorization: Bearer` (also set as a cookie).' })
  token: string;

  @ApiProperty({ type: () => UserViewDto })
  user: UserViewDto;
}

export class AuthMethodsDto {
  @ApiProperty({ enum: ['password', 'oidc'] })
  method: 'password' | 'oidc';

  @ApiProperty({
    description: 'Whether a password form is offered (always true in password mode).',
  })
  fallback: boolean;
}
