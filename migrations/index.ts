import { Initial1795920498238 } from './1795920498238-initial.js';
import { SessionChangeNotify1795930000000 } from './1795930000000-session-change-notify.js';
import { LoginThrottleIndexes1795940000000 } from './1795940000000-login-throttle-indexes.js';
import { SessionChangeNotifyStatement1795950000000 } from './1795950000000-session-change-notify-statement.js';
import { Identities1795951000000 } from './1795951000000-identities.js';
import { TestSignIn1795960000000 } from './1795960000000-test-sign-in.js';
import { AuthLogFolding1795961000000 } from './1795961000000-auth-log-folding.js';
import { Providers1795970000000 } from './1795970000000-providers.js';
import { SettingsChangeNotify1795980000000 } from './1795980000000-settings-change-notify.js';

/** Every migration of the module, oldest first: add them to the host's TypeORM `migrations`. */
export const authMigrations = [
  Initial1795920498238,
  SessionChangeNotify1795930000000,
  LoginThrottleIndexes1795940000000,
  SessionChangeNotifyStatement1795950000000,
  Identities1795951000000,
  TestSignIn1795960000000,
  AuthLogFolding1795961000000,
  Providers1795970000000,
  SettingsChangeNotify1795980000000,
];
