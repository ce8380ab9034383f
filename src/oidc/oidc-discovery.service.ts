import { Injectable } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import { isAllowedIdpUrl } from '../common/url.js';
import { AlgorithmRegistry } from './algorithm-registry.js';
import type { DiscoveryResultDto } from './oidc-discovery.dto.js';
import { IdpHttpClient } from './idp-http.client.js';

const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** Reads an issuer's OpenID Provider Metadata (OIDC Discovery 1.0 §4). */
@Injectable()
export class OidcDiscoveryService {
  constructor(
    private readonly http: IdpHttpClient,
    private readonly algorithms: AlgorithmRegistry,
  ) {}

  async discover(issuerInput: string): Promise<DiscoveryResultDto> {
    const issuer = issuerInput.trim();
    if (!isAllowedIdpUrl(issuer) || /[?#]/.test(issuer))
      throw new AuthError(
        'discovery_failed',
        'The issuer must be an https URL (http only on loopback hosts) without query or fragment.',
      );
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let response;
    try {
      response = await this.http.request(url, {
        failCode: 'discovery_failed',
        what: 'the discovery document',
      });
    } catch (error) {
      if (error instanceof AuthError && error.code === 'idp_unreachable')
        throw new AuthError('discovery_failed', error.message, { cause: error });
      throw error;
    }
    const doc = response.json as Record<string, unknown> | undefined;
    if (response.status !== 200 || !doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new AuthError(
        'discovery_failed',
        `The discovery document could not be read (HTTP ${response.status}).`,
      );
    // The issuer in the document is what ID tokens carry in "iss": it must be the one asked for.
    const advertised = doc.issuer;
    if (
      typeof advertised !== 'string' ||
      advertised.replace(/\/$/, '') !== issuer.replace(/\/$/, '')
    )
      throw new AuthError(
        'discovery_issuer_mismatch',
        `The discovery document names issuer ${JSON.stringify(String(advertised).slice(0, 200))}, not ${issuer}.`,
      );
    const required = (name: string): string => {
      const value = doc[name];
      if (typeof value !== 'string' || !isAllowedIdpUrl(value))
        throw new AuthError(
          'discovery_failed',
          `The discovery document has no usable "${name}" (https, or http on loopback).`,
        );
      return value;
    };
    const optional = (name: string): string | null => {
      const value = doc[name];
      return typeof value === 'string' && isAllowedIdpUrl(value) ? value : null;
    };
    // Defaults from Discovery §3: RS256 and client_secret_basic when not advertised.
    const algs = stringList(doc.id_token_signing_alg_values_supported) ?? ['RS256'];
    const methods = stringList(doc.token_endpoint_auth_methods_supported) ?? [
      'client_secret_basic',
    ];
    return {
      issuer: advertised,
      authorizationEndpoint: required('authorization_endpoint'),
      tokenEndpoint: required('token_endpoint'),
      userInfoEndpoint: optional('userinfo_endpoint'),
      jwksEndpoint: optional('jwks_uri'),
      endSessionEndpoint: optional('end_session_endpoint'),
      signatureAlgorithms: algs.filter((alg) => alg !== 'none' && this.algorithms.has(alg)),
      tokenEndpointAuthMethods: AUTH_METHODS.filter((method) => methods.includes(method)),
      // RFC 9207: when advertised, a callback without a matching `iss` is refused.
      authorizationResponseIssParameterSupported:
        doc.authorization_response_iss_parameter_supported === true,
    };
  }
}
