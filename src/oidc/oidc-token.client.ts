import { Injectable } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { IdpHttpClient } from './idp-http.client.js';

export interface TokenResponse {
  idToken: string;
  accessToken: string | undefined;
  /** The whole answer, for passport's callback (tokens inside; never logged). */
  raw: Record<string, unknown>;
}

/** An IdP error code is echoed to the admin only when it is a plain OAuth error word. */
function idpErrorWord(value: unknown): string {
  return typeof value === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(value) ? value : 'unknown';
}

/** RFC 6749 §2.3.1: form-urlencode id and secret before joining them for Basic auth. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64');
}

/** Authorization code → tokens at the token endpoint (PKCE, client_secret_post or _basic). */
@Injectable()
export class OidcTokenClient {
  constructor(private readonly http: IdpHttpClient) {}

  async exchange(
    code: string,
    codeVerifier: string | null,
    redirectUri: string,
    settings: AuthSettings,
  ): Promise<TokenResponse> {
    const { clientId, clientSecret, tokenEndpoint, tokenEndpointAuthMethod } = settings.oidc;
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    };
    if (codeVerifier) form.code_verifier = codeVerifier;
    const headers: Record<string, string> = {};
    if (tokenEndpointAuthMethod === 'client_secret_basic') {
      headers.authorization = `Basic ${basicCredentials(clientId, clientSecret)}`;
    } else {
      form.client_id = clientId;
      form.client_secret = clientSecret;
    }
    const response = await this.http.request(tokenEndpoint, {
      method: 'POST',
      headers,
      form,
      failCode: 'token_request_failed',
      what: 'the token request',
    });
    const body = response.json as Record<string, unknown> | undefined;
    if (response.status !== 200 || !body || typeof body !== 'object') {
      const word = idpErrorWord(body?.error);
      throw new AuthError(
        'token_request_failed',
        `The token endpoint refused the code (HTTP ${response.status}, error ${word}); check the client id, secret and authentication method.`,
      );
    }
    if (typeof body.id_token !== 'string' || body.id_token.length === 0)
      throw new AuthError(
        'id_token_missing',
        'The token endpoint answered without an ID token; is the "openid" scope allowed for this client?',
      );
    return {
      idToken: body.id_token,
      accessToken: typeof body.access_token === 'string' ? body.access_token : undefined,
      raw: body,
    };
  }

  /** UserInfo with the access token as Bearer; its sub must be the ID token's. */
  async userInfo(
    accessToken: string | undefined,
    subject: string,
    settings: AuthSettings,
  ): Promise<Record<string, unknown>> {
    const endpoint = settings.oidc.userInfoEndpoint;
    if (!endpoint) return {};
    if (!accessToken)
      throw new AuthError(
        'userinfo_failed',
        'The token endpoint sent no access token for UserInfo.',
      );
    const response = await this.http.request(endpoint, {
      headers: { authorization: `Bearer ${accessToken}` },
      failCode: 'userinfo_failed',
      what: 'the UserInfo request',
    });
    const body = response.json;
    if (response.status !== 200 || !body || typeof body !== 'object' || Array.isArray(body))
      throw new AuthError(
        'userinfo_failed',
        `The UserInfo endpoint answered HTTP ${response.status} without user claims.`,
      );
    const claims = body as Record<string, unknown>;
    // UserInfo of another user must not be merged into this login (OIDC Core 5.3.2).
    if (claims.sub !== subject)
      throw new AuthError(
        'userinfo_sub_mismatch',
        'The UserInfo "sub" differs from the ID token "sub".',
      );
    return claims;
  }
}
