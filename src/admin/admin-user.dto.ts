import { ApiProperty, ApiPropertyOptional } from '../common/openapi.js';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

/** Optional, but when present not null (these columns have no null). */
const IsOptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);

/** Profile fields: a string (blank becomes null) or null. */
class UserProfileDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  emailAddress?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  phoneNumber?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  firstName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  middleName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  lastName?: string | null;

  @ApiPropertyOptional({
    description: 'Full membership list: replaces the current one.',
    type: [String],
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'Each team id must be a UUID.' })
  teamIds?: string[];
}

export class CreateUserDto extends UserProfileDto {
  @ApiProperty({
    description: 'Normalised: lower case, characters outside [a-z0-9-@_.] become _.',
    maxLength: 255,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userName: string;

  @ApiProperty({ format: 'password', minLength: 8, maxLength: 1024 })
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean()
  isAdmin?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateUserDto extends UserProfileDto {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userName?: string;

  @ApiPropertyOptional({
    format: 'password',
    minLength: 8,
    maxLength: 1024,
    description: 'Ends every session of the user.',
  })
  @IsOptionalNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  isAdmin?: boolean;

  @ApiPropertyOptional({ description: 'false ends every session of the user.' })
  @IsOptionalNotNull()
  @IsBoolean()
  isActive?: boolean;
}

/** `POST /admin/users/:id/identities`: the IdP account to bind. */
export class LinkIdentityDto {
  @ApiProperty({ description: 'Issuer exactly as the IdP sends it in `iss`.', maxLength: 2048 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  issuer: string;

  @ApiProperty({ description: 'The `sub` of the account at that IdP.', maxLength: 255 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  subject: string;
}
