// openid-client 6 through its Passport strategy and @nestjs/passport (login guard with logIn,
// a session serializer), express-session in memory (`variant` 'memory') or connect-pg-simple ('pg').
import { Controller, Get, Injectable, Redirect, UseGuards } from '@nestjs/common';
import { AuthGuard, PassportModule, PassportSerializer, PassportStrategy } from '@nestjs/passport';
import session from 'express-session';
import * as client from 'openid-client';
import { Strategy } from 'openid-client/passport';
import passport from 'passport';
import { sessionMiddleware } from './express-session-pg.mjs';
import { helloController, klass, method, nestApp, predicateGuard } from './nest-parts.mjs';

export async function createPeer({ variant, databaseUrl, op, port, sessionSecret }) {
  const config = await client.discovery(
    new URL(op.issuer),
    op.clientId,
    op.clientSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  class OidcStrategy extends PassportStrategy(Strategy, 'oidc') {
    constructor() {
      super({
        config,
        scope: 'openid profile email',
        callbackURL: `http://127.0.0.1:${port}/api/v1/auth/callback`,
      });
    }
    validate(tokens) {
      const claims = tokens.claims();
      return { sub: claims.sub, userName: claims.preferred_username };
    }
  }
  klass(OidcStrategy, [Injectable()]);

  class SessionSerializer extends PassportSerializer {
    serializeUser(user, done) {
      done(null, user);
    }
    deserializeUser(payload, done) {
      done(null, payload);
    }
  }
  klass(SessionSerializer, [Injectable()]);

  // The Nest docs' pattern for session logins: authenticate, then logIn.
  class OidcGuard extends AuthGuard('oidc') {
    async canActivate(context) {
      const result = await super.canActivate(context);
      await super.logIn(context.switchToHttp().getRequest());
      return result;
    }
  }
  klass(OidcGuard, [Injectable()]);

  class AuthController {
    login() {}
    callback() {}
  }
  method(AuthController, 'login', Get('login'), UseGuards(OidcGuard));
  method(AuthController, 'callback', Get('callback'), UseGuards(OidcGuard), Redirect('/bench'));
  klass(AuthController, [Controller('auth')]);

  const store =
    variant === 'pg'
      ? sessionMiddleware({ databaseUrl, variant: 'default', sessionSecret })
      : session({ secret: sessionSecret, resave: false, saveUninitialized: false });
  return nestApp({
    imports: [PassportModule.register({ session: true })],
    providers: [OidcStrategy, SessionSerializer],
    controllers: [
      AuthController,
      helloController(
        predicateGuard((request) => Boolean(request.isAuthenticated?.())),
        (request) => request.user.userName,
      ),
    ],
    setup: (app) => {
      app.use(store);
      app.use(passport.initialize());
      app.use(passport.session());
    },
  });
}
