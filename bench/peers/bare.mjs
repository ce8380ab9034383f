// The bare Nest app every route figure is divided by: the demo's hello routes, no auth at all.
// Variant `noopGuard`: the same app with a global guard that does nothing but what every
// sign-in guard must, putting a (constant) user on `req.user` and a session on `req.auth`:
// the floor of any global guard, against which the module's own work is measured.
import { APP_GUARD } from '@nestjs/core';
import { helloController, nestApp, predicateGuard } from './nest-parts.mjs';

export function createPeer(config = {}) {
  if (config.variant !== 'noopGuard')
    return nestApp({ controllers: [helloController(undefined, () => 'nobody')] });
  const auth = { user: { userName: 'nobody' } };
  const guard = predicateGuard((request) => {
    request.auth = auth;
    request.user = auth.user;
    return true;
  });
  return nestApp({
    controllers: [helloController(undefined, (request) => request.user.userName)],
    providers: [{ provide: APP_GUARD, useClass: guard }],
  });
}
