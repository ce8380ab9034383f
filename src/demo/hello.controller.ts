import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, type AuthenticatedUser } from '../index.js';

/** Demo endpoints: one public, one behind the session guard. */
@ApiTags('demo')
@Controller('hello')
export class HelloController {
  @Public()
  @Get()
  hello(): { hello: string } {
    return { hello: 'world' };
  }

  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): { hello: string } {
    return { hello: user.userName };
  }
}
