import { freePort } from '../../src/demo/embedded-postgres.js';
import {
  type LocalIdp,
  type LocalIdpAccount,
  type LocalIdpClient,
  startLocalIdp,
} from '../../src/demo/local-idp.js';
import { type StartTestAppOptions, startTestApp, type TestApp } from './test-app.js';

export interface LocalIdpSite {
  t: TestApp;
  idp: LocalIdp;
  siteUrl: string;
  client: LocalIdpSiteOptions['client'];
  close(): Promise<void>;
}

export interface LocalIdpSiteOptions {
  /** The app's client at the IdP; its redirect, post-logout and back-channel URIs come from the site URL. */
  client: Pick<LocalIdpClient, 'client_id' | 'client_secret' | 'token_endpoint_auth_method'>;
  accounts: LocalIdpAccount[];
  /** Register the site's back-channel logout URI (session required). Default false. */
  backchannel?: boolean;
  app?: Omit<StartTestAppOptions, 'port' | 'siteUrl'>;
}

/** The test app on a port known in advance, and a real oidc-provider with the app registered. */
export async function startLocalIdpSite(options: LocalIdpSiteOptions): Promise<LocalIdpSite> {
  const port = await freePort();
  const siteUrl = `http://127.0.0.1:${port}`;
  const idp = await startLocalIdp({
    clients: [
      {
        ...options.client,
        redirect_uris: [`${siteUrl}/api/v1/auth/oidc/callback`],
        post_logout_redirect_uris: [siteUrl],
        ...(options.backchannel
          ? {
              backchannel_logout_uri: `${siteUrl}/api/v1/backchannelLogout`,
              backchannel_logout_session_required: true,
            }
          : {}),
      },
    ],
    accounts: options.accounts,
  });
  const t = await startTestApp({ ...options.app, port, siteUrl });
  return {
    t,
    idp,
    siteUrl,
    client: options.client,
    close: async () => {
      await t.close();
      await idp.stop();
    },
  };
}

/** `oidc` settings for the local IdP's client, endpoints taken from its discovery document. */
export async function discoveredOidcSettings(
  idp: LocalIdp,
  client: Pick<LocalIdpClient, 'client_id' | 'client_secret'>,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const discovery = (await (
    await fetch(`${idp.issuer}/.well-known/openid-configuration`)
  ).json()) as Record<string, string>;
  return {
    clientId: client.client_id,
    clientSecret: client.client_secret,
    issuer: discovery.issuer,
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    userInfoEndpoint: discovery.userinfo_endpoint,
    jwksEndpoint: discovery.jwks_uri,
    endSessionEndpoint: discovery.end_session_endpoint,
    ...overrides,
  };
}
