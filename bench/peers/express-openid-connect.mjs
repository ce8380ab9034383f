// express-openid-connect mounted in a Nest app (`app.use(auth(...))`): code flow, its own
// encrypted cookie session, login and callback routes under /api/v1/auth.
import eoc from 'express-openid-connect';
import { helloController, nestApp, predicateGuard } from './nest-parts.mjs';

export function createPeer({ op, port, sessionSecret }) {
  return nestApp({
    controllers: [
      helloController(
        predicateGuard((request) => Boolean(request.oidc?.isAuthenticated())),
        (request) => request.oidc.user.preferred_username,
      ),
    ],
    setup: (app) =>
      app.use(
        eoc.auth({
          issuerBaseURL: op.issuer,
          baseURL: `http://127.0.0.1:${port}`,
          clientID: op.clientId,
          clientSecret: op.clientSecret,
          secret: sessionSecret,
          authRequired: false,
          idpLogout: false,
          idTokenSigningAlg: 'HS256',
          clientAuthMethod: 'client_secret_post',
          authorizationParams: { response_type: 'code', scope: 'openid profile email' },
          routes: { login: '/api/v1/auth/login', callback: '/api/v1/auth/callback', logout: false },
          getLoginState: () => ({ returnTo: '/bench' }),
        }),
      ),
  });
}
