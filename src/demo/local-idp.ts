import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type InteractionDetails } from 'oidc-provider';

/** A client registered at the local IdP (oidc-provider client metadata names). */
export interface LocalIdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  token_endpoint_auth_method?: 'client_secret_post' | 'client_secret_basic';
  id_token_signed_response_alg?: string;
}

/** An end user of the local IdP. */
export interface LocalIdpAccount {
  sub: string;
  /** Password for the login form; when absent any password is accepted. */
  password?: string;
  /** Claims released by scope: email, phone_number, given_name, groups, preferred_username, ... */
  claims?: Record<string, unknown>;
}

export interface LocalIdpOptions {
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  clients: LocalIdpClient[];
  accounts: LocalIdpAccount[];
  /** Refuse authorization requests without PKCE. Default true. */
  requirePkce?: boolean;
  /**
   * Put the scope claims in the ID token too (not only at UserInfo), so a relying party
   * without UserInfo sees them. Default true.
   */
  claimsInIdToken?: boolean;
  /** ID token lifetime in seconds. Default 3600. */
  idTokenTtlSeconds?: number;
}

export interface LocalIdp {
  /** Issuer URL, e.g. `http://127.0.0.1:41234` (also the discovery base). */
  issuer: string;
  url: string;
  provider: Provider;
  /** Replaces the claims of an account (for the next token issued). */
  setClaims(sub: string, claims: Record<string, unknown>): void;
  addAccount(account: LocalIdpAccount): void;
  stop(): Promise<void>;
}

/** Claims oidc-provider releases per scope; `groups` is released with `profile` or its own scope. */
const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: [
    'name',
    'given_name',
    'middle_name',
    'family_name',
    'preferred_username',
    'nickname',
    'groups',
  ],
  groups: ['groups'],
};

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid: string, error?: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Local IdP sign-in</title></head>
<body>
<h1>Local IdP sign-in</h1>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label>Username <input name="login" autofocus></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>`;
}

/**
 * Starts a real oidc-provider on 127.0.0.1 with a username/password login page, automatic
 * consent, PKCE, UserInfo, RP-initiated logout and back-channel logout to loopback URLs.
 * Used by the tests and by `npm run demo`; not for production.
 */
export async function startLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  const accounts = new Map<string, LocalIdpAccount>();
  for (const account of options.accounts) accounts.set(account.sub, { ...account });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: `local-${randomBytes(6).toString('hex')}`,
    use: 'sig',
  };

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const findAccount = (login: string): LocalIdpAccount | undefined => {
    const direct = accounts.get(login);
    if (direct) return direct;
    for (const account of accounts.values()) {
      const claims = account.claims ?? {};
      if (claims.preferred_username === login || claims.email === login) return account;
    }
    return undefined;
  };

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // With a back-channel logout URI, ID tokens carry `sid` unless the client says otherwise.
      ...(client.backchannel_logout_uri ? { backchannel_logout_session_required: true } : {}),
      ...client,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: CLAIMS_BY_SCOPE,
    conformIdTokenClaims: options.claimsInIdToken === false,
    pkce: { required: () => options.requirePkce !== false },
    ttl: {
      IdToken: options.idTokenTtlSeconds ?? 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400,
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512'],
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body>
<h1>Sign out of the local IdP?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
</body></html>`;
        },
      },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ ...(accounts.get(id)?.claims ?? {}), sub: id }),
      };
    },
    // The default fetch refuses loopback addresses; back-channel logout here targets 127.0.0.1.
    fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => {
      const rest: RequestInit & { dispatcher?: unknown } = { ...init };
      delete rest.dispatcher;
      return fetch(url, rest);
    },
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><body><h1>IdP error</h1><pre>${escapeHtml(
        JSON.stringify(out),
      )}</pre></body></html>`;
    },
  });

  const providerCallback = provider.callback();

  const consent = async (
    request: IncomingMessage,
    response: ServerResponse,
    details: InteractionDetails,
  ): Promise<void> => {
    const accountId = details.session?.accountId ?? '';
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(
      request,
      response,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  };

  const interaction = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(request, response);
    const isLoginPost = request.method === 'POST' && /\/login$/.test(request.url ?? '');
    if (details.prompt.name === 'login') {
      if (!isLoginPost) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(loginPage(details.uid));
        return;
      }
      const form = await readForm(request);
      const account = findAccount(form.get('login') ?? '');
      const passwordOk =
        account && (account.password === undefined || account.password === form.get('password'));
      if (!account || !passwordOk) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(loginPage(details.uid, 'Wrong username or password.'));
        return;
      }
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: account.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // First-party demo IdP: consent is granted without asking.
    await consent(request, response, details);
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if ((request.url ?? '').startsWith('/interaction/')) {
      interaction(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(400, { 'content-type': 'text/plain' });
        response.end(`interaction failed: ${error instanceof Error ? error.message : 'error'}`);
      });
      return;
    }
    providerCallback(request, response);
  });

  return {
    issuer,
    url: issuer,
    provider,
    setClaims(sub, claims) {
      const account = accounts.get(sub);
      if (!account) throw new Error(`No local IdP account ${sub}`);
      account.claims = { ...claims };
    },
    addAccount(account) {
      accounts.set(account.sub, { ...account });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
