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

function isGoneInteraction(error: unknown): boolean {
  const { name, error: code } = (error ?? {}) as { name?: string; error?: string };
  return name === 'SessionNotFound' || code === 'invalid_request' || name === 'InvalidRequest';
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

/** Styles of the IdP's own pages: a small card, readable at 390 px (the IdP is a separate origin). */
const IDP_STYLE = `
body{margin:0;background:#eef1f6;color:#1d2430;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}
header{background:#0f5132;color:#fff;padding:.75rem 1.5rem;font-weight:600}
main{max-width:24rem;margin:3rem auto 1rem;padding:2rem;background:#fff;border:1px solid #d5d9e0;border-radius:8px;box-shadow:0 1px 3px rgb(0 0 0/6%)}
@media (max-width:30rem){main{margin:1.5rem .75rem;padding:1.25rem}}
h1{margin:0 0 1rem;font-size:1.35rem}
label{display:block;font-weight:600;margin:0 0 .9rem}
input{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.5rem .6rem;border:1px solid #b8bfca;border-radius:6px;font:inherit}
button{display:block;width:100%;padding:.6rem 1rem;border:0;border-radius:6px;background:#0f5132;color:#fff;font:inherit;font-weight:600;cursor:pointer}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.error{background:#fdecea;border:1px solid #f3b6b0;color:#7a1a14;border-radius:6px;padding:.6rem .9rem}
.muted{color:#5b6575;font-size:.9rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f1f3f6;padding:.5rem;border-radius:6px;font-size:.85rem}`;

/** A page of the local IdP (title, body HTML already escaped by the caller). */
function idpPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Local IdP</title><style>${IDP_STYLE}</style></head>
<body><header>Local identity provider (demo)</header><main>${body}</main></body></html>`;
}

function loginPage(uid: string, error?: string): string {
  return idpPage(
    'Sign in',
    `<h1>Sign in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label>Username <input name="login" autocomplete="username" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
`,
  );
}

/** A used or expired sign-in form (typically Back after signing in): say what to do, not the raw error. */
function expiredInteractionPage(): string {
  return idpPage(
    'Sign-in page expired',
    `<h1>This sign-in page has expired</h1>
<p>It was already used (perhaps you pressed Back after signing in) or it is more than 10 minutes old.</p>
<p>Go back to the application and press its sign-in button again.</p>`,
  );
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
          ctx.body = idpPage(
            'Sign out',
            `<h1>Sign out of the local IdP?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`,
          );
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
      ctx.body = idpPage(
        'Error',
        `<h1>IdP error</h1><p>The identity provider could not complete this request.</p><pre>${escapeHtml(
          JSON.stringify(out),
        )}</pre>`,
      );
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
        if (response.headersSent) {
          response.end();
          return;
        }
        // oidc-provider's SessionNotFound / invalid_request: the interaction is consumed or gone.
        response.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          isGoneInteraction(error)
            ? expiredInteractionPage()
            : idpPage(
                'Error',
                `<h1>Sign-in failed</h1><p>${escapeHtml(
                  error instanceof Error ? error.message : 'error',
                )}</p><p>Go back to the application and start again.</p>`,
              ),
        );
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
