// express-session with connect-pg-simple, as the Nest docs mount it (`app.use(session(...))`),
// a guard checking the session's user; `variant` 'disableTouch' or 'default' (touch on every request).
import { Controller, Post, Req } from '@nestjs/common';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { helloController, klass, method, nestApp, predicateGuard } from './nest-parts.mjs';

/** Public route the bench calls once to get a signed-in session cookie. */
function sessionController() {
  class BenchSessionController {
    signIn(request) {
      request.session.user = { id: 'bench-user', userName: 'bench-session-user' };
      return { ok: true };
    }
  }
  Req()(BenchSessionController.prototype, 'signIn', 0);
  method(BenchSessionController, 'signIn', Post('session'));
  return klass(BenchSessionController, [Controller('bench')]);
}

export function sessionMiddleware({ databaseUrl, variant, sessionSecret }) {
  const PgStore = connectPgSimple(session);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const store = new PgStore({
    pool,
    createTableIfMissing: true,
    disableTouch: variant === 'disableTouch',
  });
  return session({ store, secret: sessionSecret, resave: false, saveUninitialized: false });
}

export function createPeer(config) {
  return nestApp({
    controllers: [
      helloController(
        predicateGuard((request) => Boolean(request.session?.user)),
        (request) => request.session.user.userName,
      ),
      sessionController(),
    ],
    setup: (app) => app.use(sessionMiddleware(config)),
  });
}
