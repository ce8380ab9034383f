import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createDemoApp } from './create-demo-app.js';
import { demoConfigFromEnv, demoLogger } from './demo-config.js';
import {
  AdminApiClient,
  configureDemoOidc,
  DEMO_TEAMS,
  DEMO_USERS,
  demoIdpAccounts,
  demoIdpClient,
  readSettingsUris,
} from './demo-idp-setup.js';
import {
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres,
} from './embedded-postgres.js';
import { type LocalIdp, startLocalIdp } from './local-idp.js';

const DEMO_ADMIN = { userName: 'admin', password: 'admin-demo' };

/**
 * `npm run demo`: the demo app plus a local OpenID provider with demo users, wired together
 * through the admin API. Demo data lives under .data/demo (apart from `npm start`'s).
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  env.AUTH_DATA_DIR ??= resolve('.data/demo');
  // The browser must use the exact site origin (cookies, CSRF check); 127.0.0.1 is what we listen on.
  env.AUTH_SITE_URL ??= `http://127.0.0.1:${env.PORT ?? 3000}`;
  env.AUTH_ADMIN_USERNAME ||= DEMO_ADMIN.userName;
  env.AUTH_ADMIN_PASSWORD ||= DEMO_ADMIN.password;
  const config = demoConfigFromEnv(env);
  const logger = demoLogger(config);
  const adminUserName = env.AUTH_ADMIN_USERNAME;
  const adminPassword = env.AUTH_ADMIN_PASSWORD;

  let embedded: EmbeddedPostgresHandle | undefined;
  let idp: LocalIdp | undefined;
  let app: Awaited<ReturnType<typeof createDemoApp>> | undefined;
  let stopping = false;
  const stop = async (reason: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${reason}: stopping.`);
    await app?.close().catch(() => undefined);
    await idp?.stop().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      logger.log(`Starting an embedded PostgreSQL (data under ${config.dataDir}/postgres).`);
      embedded = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/postgres` });
      databaseUrl = embedded.url;
    }
    app = await createDemoApp({
      databaseUrl,
      siteUrl: config.siteUrl,
      secretKey: config.secretKey,
      adminUserName,
      adminPassword,
      logger,
    });
    await app.listen(config.port, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${config.port}`;

    const admin = new AdminApiClient(baseUrl);
    await admin.signIn(adminUserName, adminPassword);
    const uris = await readSettingsUris(admin);
    // A fresh client secret per run: the IdP and the app learn it here, nobody has to type it.
    const clientSecret = randomBytes(24).toString('base64url');
    const idpPort = env.DEMO_IDP_PORT ? Number(env.DEMO_IDP_PORT) : await freePort();
    idp = await startLocalIdp({
      port: idpPort,
      clients: [demoIdpClient({ siteUrl: config.siteUrl, ...uris }, clientSecret)],
      accounts: demoIdpAccounts(),
    });
    await configureDemoOidc(admin, idp.issuer, clientSecret);
    printWelcome(config.siteUrl, idp.issuer, adminUserName, adminPassword === DEMO_ADMIN.password);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    await stop('start-up failed', 1);
  }
}

function printWelcome(site: string, issuer: string, admin: string, showPassword: boolean): void {
  const users = DEMO_USERS.map((user) => {
    const teams = user.groups.map((group) => DEMO_TEAMS[group]).join(', ') || 'no team';
    return `    ${user.userName.padEnd(6)} / ${user.password.padEnd(11)} groups: ${
      user.groups.join(', ') || '(none)'
    }  ->  teams: ${teams}`;
  });
  const lines = [
    '',
    '  Demo is running. Open the login page and sign in with a demo user:',
    '',
    `    Login page      ${site}/login`,
    `    Your account    ${site}/me`,
    `    Admin settings  ${site}/admin`,
    `    API docs        ${site}/api/docs`,
    `    Local IdP       ${issuer}  (OpenID provider, discovery at /.well-known/openid-configuration)`,
    '',
    '  Demo users at the local IdP (user / password):',
    ...users,
    '',
    `  Admin (password form, "Use a password instead"): ${admin}${
      showPassword ? ` / ${DEMO_ADMIN.password}` : ' / (AUTH_ADMIN_PASSWORD)'
    }`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
