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

/** A sign-in provider offered by the login page. */
export class LoginProviderDto {
  @ApiProperty({ example: 'default' })
  id: string;

  @ApiProperty({ example: 'Sign in with idp.example.com', description: 'Text of its button.' })
  label: string;

  @ApiProperty({
    example: 'https://crm.example.com/api/v1/auth/oidc/login',
    description: 'Starts the sign-in; accepts `?returnTo=/path`.',
  })
  loginUrl: string;
}

export class AuthMethodsDto {
  @ApiProperty({ enum: ['password', 'oidc'] })
  method: 'password' | 'oidc';

  @ApiProperty({
    description: 'Whether a password form is offered (always true in password mode).',
  })
  fallback: boolean;

  @ApiProperty({
    description:
      'Whether regular users may use the password form too (false: administrators only), so the page can say so.',
  })
  fallbackForRegularUsers: boolean;

  @ApiProperty({
    description:
      'The login page goes straight to the IdP when exactly one provider is offered; `/login?password=1` still shows the password form.',
  })
  autoRedirect: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Text of the login button (`"Sign in with <issuer host>"` unless set); null in password mode.',
  })
  buttonLabel: string | null;

  @ApiProperty({ type: [LoginProviderDto], description: 'Empty in password mode.' })
  providers: LoginProviderDto[];
}
