// What `npm run demo` puts into the local IdP and how it configures the app: through the admin
// HTTP API, exactly as an administrator would on the admin page.
import type { LocalIdpAccount, LocalIdpClient } from './local-idp.js';

/** A demo end user: fixed, printed credentials (demo only). */
export interface DemoUser {
  userName: string;
  password: string;
  groups: string[];
}

export const DEMO_USERS: DemoUser[] = [
  { userName: 'alice', password: 'alice-demo', groups: ['staff', 'sales'] },
  { userName: 'bob', password: 'bob-demo', groups: ['staff', 'support'] },
  { userName: 'carol', password: 'carol-demo', groups: [] },
];

/** Group claim value → team name created in the app. */
export const DEMO_TEAMS: Record<string, string> = {
  staff: 'Staff',
  sales: 'Sales',
  support: 'Support',
};

export const DEMO_CLIENT_ID = 'demo-app';

export function demoIdpAccounts(): LocalIdpAccount[] {
  return DEMO_USERS.map((user) => {
    const name = user.userName[0].toUpperCase() + user.userName.slice(1);
    return {
      sub: `${user.userName}-sub`,
      password: user.password,
      claims: {
        preferred_username: user.userName,
        email: `${user.userName}@demo.test`,
        email_verified: true,
        given_name: name,
        family_name: 'Demo',
        name: `${name} Demo`,
        groups: user.groups,
      },
    };
  });
}

/** The app's client registration at the local IdP, from the URIs the admin page shows. */
export function demoIdpClient(
  uris: { siteUrl: string; redirectUri: string; backchannelLogoutUri: string },
  clientSecret: string,
): LocalIdpClient {
  return {
    client_id: DEMO_CLIENT_ID,
    client_secret: clientSecret,
    redirect_uris: [uris.redirectUri],
    post_logout_redirect_uris: [uris.siteUrl],
    backchannel_logout_uri: uris.backchannelLogoutUri,
    backchannel_logout_session_required: true,
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

interface Answer {
  status: number;
  body: unknown;
}

/** A Bearer-authenticated JSON client of the app's API (Bearer requests skip the CSRF check). */
export class AdminApiClient {
  private token = '';

  constructor(private readonly baseUrl: string) {}

  async signIn(userName: string, password: string): Promise<void> {
    const answer = await this.call('POST', '/auth/login', { username: userName, password });
    if (answer.status !== 200) {
      throw new Error(
        `The admin "${userName}" could not sign in (${describe(answer)}). ` +
          'Set AUTH_ADMIN_USERNAME/AUTH_ADMIN_PASSWORD to an existing admin, or use a fresh AUTH_DATA_DIR.',
      );
    }
    this.token = (answer.body as { token: string }).token;
  }

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  async expect(method: string, path: string, status: number, body?: unknown): Promise<unknown> {
    const answer = await this.call(method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: ${describe(answer)}`);
    return answer.body;
  }
}

function describe(answer: Answer): string {
  const body = answer.body as { error?: string; message?: string; fields?: unknown } | null;
  return `${answer.status} ${body?.error ?? ''} ${body?.message ?? ''} ${
    body?.fields ? JSON.stringify(body.fields) : ''
  }`.trim();
}

export interface SettingsUris {
  redirectUri: string;
  backchannelLogoutUri: string;
}

/** The URIs the admin page shows for copying to the IdP. */
export async function readSettingsUris(client: AdminApiClient): Promise<SettingsUris> {
  return (await client.expect('GET', '/admin/authentication', 200)) as SettingsUris;
}

/** Creates the mapped teams (when missing) and returns group → team id. */
export async function ensureDemoTeams(client: AdminApiClient): Promise<Record<string, string>> {
  const teams = (await client.expect('GET', '/admin/teams', 200)) as { id: string; name: string }[];
  const ids: Record<string, string> = {};
  for (const [group, name] of Object.entries(DEMO_TEAMS)) {
    const found = teams.find((team) => team.name === name);
    ids[group] =
      found?.id ??
      ((await client.expect('POST', '/admin/teams', 201, { name })) as { id: string }).id;
  }
  return ids;
}

/**
 * Points the app at the IdP the way an admin does on the admin page: Discover, then Save
 * with the client credentials, claims and team mapping.
 */
export async function configureDemoOidc(
  client: AdminApiClient,
  issuer: string,
  clientSecret: string,
): Promise<void> {
  const teamIds = await ensureDemoTeams(client);
  const discovered = (await client.expect('POST', '/admin/authentication/discover', 200, {
    issuer,
  })) as Record<string, unknown>;
  await client.expect('PUT', '/admin/authentication', 200, {
    method: 'oidc',
    oidc: {
      clientId: DEMO_CLIENT_ID,
      clientSecret,
      issuer: discovered.issuer,
      authorizationEndpoint: discovered.authorizationEndpoint,
      tokenEndpoint: discovered.tokenEndpoint,
      userInfoEndpoint: discovered.userInfoEndpoint,
      jwksEndpoint: discovered.jwksEndpoint,
      endSessionEndpoint: discovered.endSessionEndpoint,
      tokenEndpointAuthMethod: 'client_secret_basic',
      signatureAlgorithms: ['RS256'],
      scopes: ['profile', 'email'],
      usernameClaim: 'preferred_username',
      createUser: true,
      sync: true,
      groupClaim: 'groups',
      syncTeams: true,
      teamMapping: Object.entries(teamIds).map(([group, teamId]) => ({ teamId, group })),
      fallback: true,
      allowRegularUserFallback: false,
      allowAdminUser: false,
      pkce: true,
    },
  });
}
