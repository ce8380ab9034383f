import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public, type AuthenticatedUser } from '../index.js';

/** Demo endpoints: one public, one behind the session guard. */
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
