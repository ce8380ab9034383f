// passport-jwt through @nestjs/passport: `variant` 'docs' as the Nest docs set it up (the secret
// as a string), 'keyObject' with the secret as a KeyObject (jsonwebtoken skips re-creating it).
import { createSecretKey } from 'node:crypto';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { helloController, klass, nestApp } from './nest-parts.mjs';
import { Injectable } from '@nestjs/common';

export function createPeer({ variant, jwtSecret }) {
  const secretOrKey =
    variant === 'keyObject' ? createSecretKey(Buffer.from(jwtSecret, 'utf8')) : jwtSecret;
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        ignoreExpiration: false,
        secretOrKey,
        algorithms: ['HS256'],
      });
    }
    validate(payload) {
      return { userId: payload.sub, username: payload.username };
    }
  }
  klass(JwtStrategy, [Injectable()]);
  return nestApp({
    imports: [PassportModule],
    providers: [JwtStrategy],
    controllers: [helloController(AuthGuard('jwt'), (request) => request.user.username)],
  });
}
