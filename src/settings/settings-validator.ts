import { AuthError } from '../common/auth-error.js';
import { isAllowedIdpUrl } from '../common/url.js';
import { hsSecretTooShortMessage, requiredSecretBytes, secretBytes } from '../oidc/hs-secret.js';
import {
  type AuthMethod,
  DEFAULT_OIDC_SETTINGS,
  type StoredOidcSettings,
  type TeamMappingRow,
} from './auth-settings.types.js';

export interface SettingsUpdate {
  method: AuthMethod;
  oidc: StoredOidcSettings;
  /** A new client secret, or undefined to keep the stored one. */
  clientSecret: string | undefined;
}

export interface ValidationContext {
  current: {
    method: AuthMethod;
    oidc: StoredOidcSettings;
    clientSecretSet: boolean;
    /** UTF-8 length of the stored secret, for the HS* key length rule; unknown when absent. */
    clientSecretBytes?: number;
  };
  isAlgorithmRegistered(name: string): boolean;
  /** Names of the registered algorithms, listed in the field error of an unknown one. */
  registeredAlgorithms?(): string[];
  isJwksAlgorithm(name: string): boolean;
  isSecretAlgorithm(name: string): boolean;
  teamExists(teamIds: string[]): Promise<Set<string>>;
}

const MAX_TEXT = 2048;
const MAX_URL = 2048;
const PROMPTS = ['none', 'login', 'consent', 'select_account'];
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];
const CLAIM_PATH = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name in ASCII (IDNs as punycode), compared lower-cased. */
const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

type Fields = Record<string, string>;
type Check<T> = (value: unknown, name: string, fields: Fields) => T | undefined;

const text =
  (max = MAX_TEXT): Check<string> =>
  (value, name, fields) => {
    if (typeof value !== 'string') return void (fields[name] = 'Must be a string.');
    if (value.length > max) return void (fields[name] = `At most ${max} characters.`);
    if (/[\u0000-\u001f\u007f]/.test(value))
      return void (fields[name] = 'Control characters are not allowed.');
    return value.trim();
  };

const bool: Check<boolean> = (value, name, fields) => {
  if (typeof value !== 'boolean') return void (fields[name] = 'Must be true or false.');
  return value;
};

const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (value, name, fields) =>
    value === null || value === '' ? null : check(value, name, fields);

const url: Check<string> = (value, name, fields) => {
  const raw = text(MAX_URL)(value, name, fields);
  if (raw === undefined || raw === '') return raw;
  if (!isAllowedIdpUrl(raw)) {
    return void (fields[name] =
      'Must be an absolute https URL (http only on loopback hosts such as 127.0.0.1 or localhost).');
  }
  return raw;
};

/** URL-style claim names (Auth0, Okta custom claims): looked up as one literal key first. */
function isClaimUrl(raw: string): boolean {
  if (!/^https?:\/\/[\x21-\x7e]+$/i.test(raw)) return false;
  try {
    return new URL(raw).host !== '';
  } catch {
    return false;
  }
}

const claimPath: Check<string> = (value, name, fields) => {
  const raw = text(255)(value, name, fields);
  if (raw === undefined) return undefined;
  if (!CLAIM_PATH.test(raw) && !isClaimUrl(raw))
    return void (fields[name] =
      'Must be a claim name, a dot path such as realm_access.roles, or a URL-style name such as https://example.com/claims/groups.');
  return raw;
};

const oneOf =
  <T extends string>(allowed: readonly string[]): Check<T> =>
  (value, name, fields) => {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      return void (fields[name] = `Must be one of: ${allowed.join(', ')}.`);
    }
    return value as T;
  };

const logoutTemplate: Check<string> = (value, name, fields) => {
  const raw = text(MAX_URL)(value, name, fields);
  if (raw === undefined || raw === '') return raw;
  const probe = raw
    .replaceAll('{siteUrl}', 'https%3A%2F%2Fsite.example')
    .replaceAll('{clientId}', 'client');
  let parsed: URL;
  try {
    parsed = new URL(probe);
  } catch {
    return void (fields[name] = 'Must be an absolute URL; {siteUrl} and {clientId} are replaced.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return void (fields[name] = 'Must be an http(s) URL.');
  return raw;
};

/** A list of group-claim values (exact strings, duplicates dropped). */
const groupList: Check<string[]> = (value, name, fields) => {
  if (!Array.isArray(value) || value.length > 500)
    return void (fields[name] = 'Must be a list of at most 500 group values.');
  const groups: string[] = [];
  value.forEach((item: unknown, index) => {
    const group = text(255)(item, `${name}[${index}]`, fields);
    if (group === '') fields[`${name}[${index}]`] = 'Must not be empty.';
    else if (group !== undefined) groups.push(group);
  });
  return [...new Set(groups)];
};

const domainList: Check<string[]> = (value, name, fields) => {
  if (!Array.isArray(value) || value.length > 500)
    return void (fields[name] = 'Must be a list of at most 500 domains.');
  const domains: string[] = [];
  value.forEach((item: unknown, index) => {
    const raw = typeof item === 'string' ? item.trim().replace(/^@/, '').toLowerCase() : item;
    if (typeof raw !== 'string' || !DOMAIN.test(raw))
      fields[`${name}[${index}]`] = 'Must be a domain such as example.com (punycode for IDNs).';
    else domains.push(raw);
  });
  return [...new Set(domains)];
};

const OIDC_FIELDS: { [K in keyof StoredOidcSettings]: Check<StoredOidcSettings[K]> } = {
  clientId: text(255),
  issuer: url,
  authorizationEndpoint: url,
  tokenEndpoint: url,
  userInfoEndpoint: nullable(url),
  jwksEndpoint: nullable(url),
  endSessionEndpoint: nullable(url),
  tokenEndpointAuthMethod: oneOf(AUTH_METHODS),
  signatureAlgorithms: (value, name, fields) => {
    if (!Array.isArray(value) || value.length === 0 || value.length > 16) {
      return void (fields[name] = 'Must be a non-empty list of algorithm names.');
    }
    if (!value.every((item) => typeof item === 'string'))
      return void (fields[name] = 'Must be a list of strings.');
    return [...new Set(value)];
  },
  scopes: (value, name, fields) => {
    if (!Array.isArray(value) || value.length > 32)
      return void (fields[name] = 'Must be a list of at most 32 scopes.');
    if (!value.every((item) => typeof item === 'string' && SCOPE.test(item))) {
      return void (fields[name] = 'Each scope must be a word without spaces or quotes.');
    }
    // `openid` is always sent first by the module; it is not stored twice.
    return [...new Set((value as string[]).filter((scope) => scope !== 'openid'))];
  },
  usernameClaim: claimPath,
  createUser: bool,
  sync: bool,
  groupClaim: nullable(claimPath),
  syncTeams: bool,
  teamMapping: (value, name, fields) => {
    if (!Array.isArray(value) || value.length > 500)
      return void (fields[name] = 'Must be a list of at most 500 rows.');
    const rows: TeamMappingRow[] = [];
    value.forEach((row: unknown, index) => {
      const at = `${name}[${index}]`;
      if (!row || typeof row !== 'object' || Array.isArray(row))
        return void (fields[at] = 'Must be {teamId, group}.');
      const { teamId, group } = row as Record<string, unknown>;
      if (typeof teamId !== 'string' || !UUID.test(teamId))
        return void (fields[`${at}.teamId`] = 'Pick a team.');
      const groupValue =
        group === undefined || group === null ? '' : text(255)(group, `${at}.group`, fields);
      if (groupValue === undefined) return;
      rows.push({ teamId: teamId.toLowerCase(), group: groupValue });
    });
    return rows;
  },
  fallback: bool,
  allowRegularUserFallback: bool,
  allowAdminUser: bool,
  logoutUrl: nullable(logoutTemplate),
  prompt: nullable(oneOf(PROMPTS)),
  maxAge: nullable((value, name, fields) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 31_536_000) {
      return void (fields[name] = 'Must be a whole number of seconds (0 to 31536000).');
    }
    return value;
  }),
  pkce: bool,
  linkExistingUsers: oneOf(['userName', 'verifiedEmail', 'never']),
  allowedGroups: groupList,
  allowedEmailDomains: domainList,
  adminGroups: groupList,
  adminRoleSource: oneOf(['manual', 'idp']),
  jwksCachePeriod: (value, name, fields) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400)
      return void (fields[name] = 'Must be a whole number of seconds (0 to 86400).');
    return value;
  },
  authorizationResponseIssParameterSupported: bool,
  autoRedirect: bool,
  buttonLabel: nullable((value, name, fields) => {
    const label = text(100)(value, name, fields);
    return label === '' ? null : label;
  }),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks a `PUT /admin/authentication` body and merges it over the current settings.
 * Every field left out keeps its value; an absent, null or empty `clientSecret` keeps the
 * stored one. Throws `validation_failed` with per-field messages.
 */
export async function validateSettingsUpdate(
  body: unknown,
  context: ValidationContext,
): Promise<SettingsUpdate> {
  const fields: Fields = {};
  if (!isRecord(body))
    throw new AuthError('validation_failed', 'The body must be a JSON object.', {
      fields: { body: 'Must be an object.' },
    });
  for (const key of Object.keys(body)) {
    if (!['method', 'oidc'].includes(key)) fields[key] = 'Unknown field.';
  }
  let method = context.current.method;
  if (body.method !== undefined)
    method = oneOf<AuthMethod>(['password', 'oidc'])(body.method, 'method', fields) ?? method;

  const oidc: StoredOidcSettings = { ...DEFAULT_OIDC_SETTINGS, ...context.current.oidc };
  let clientSecret: string | undefined;
  if (body.oidc !== undefined) {
    if (!isRecord(body.oidc)) {
      fields.oidc = 'Must be an object.';
    } else {
      for (const [key, value] of Object.entries(body.oidc)) {
        const name = `oidc.${key}`;
        if (key === 'clientSecret') {
          if (value === undefined || value === null || value === '') continue;
          const secret = typeof value === 'string' ? value : undefined;
          if (secret === undefined) fields[name] = 'Must be a string.';
          else if (secret.length > 1024) fields[name] = 'At most 1024 characters.';
          else clientSecret = secret;
          continue;
        }
        // Own keys only: `in` would accept `__proto__`, `constructor`, `toString`.
        if (!Object.hasOwn(OIDC_FIELDS, key)) {
          fields[name] = 'Unknown field.';
          continue;
        }
        if (value === undefined) continue;
        const checked = (OIDC_FIELDS as Record<string, Check<unknown>>)[key](value, name, fields);
        if (checked !== undefined) (oidc as unknown as Record<string, unknown>)[key] = checked;
      }
    }
  }

  // Cross-field rules, checked on the merged result.
  for (const algorithm of oidc.signatureAlgorithms) {
    if (!context.isAlgorithmRegistered(algorithm)) {
      fields['oidc.signatureAlgorithms'] ??=
        `Unknown signature algorithm ${JSON.stringify(algorithm).slice(0, 40)}. Use one of: ${(
          context.registeredAlgorithms?.() ?? ['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512']
        ).join(', ')}.`;
    }
  }
  // Completeness is required only once OIDC is in use, so an admin can prepare it in password mode.
  if (method === 'oidc' && !fields['oidc.signatureAlgorithms']) {
    if (oidc.signatureAlgorithms.some((a) => context.isJwksAlgorithm(a)) && !oidc.jwksEndpoint) {
      fields['oidc.jwksEndpoint'] ??=
        'Required when an RS* (or other public-key) algorithm is allowed.';
    }
    if (
      oidc.signatureAlgorithms.some((a) => context.isSecretAlgorithm(a)) &&
      !clientSecret &&
      !context.current.clientSecretSet
    ) {
      fields['oidc.clientSecret'] ??= 'Required when an HS* algorithm is allowed.';
    }
  }
  // RFC 7518 3.2: a short HMAC key is guessable online; checked in every mode, like the secret itself.
  const needed = requiredSecretBytes(
    oidc.signatureAlgorithms.filter((a) => context.isSecretAlgorithm(a)),
  );
  const bytes =
    clientSecret !== undefined ? secretBytes(clientSecret) : context.current.clientSecretBytes;
  if (needed.algorithm && bytes !== undefined && bytes > 0 && bytes < needed.bytes)
    fields['oidc.clientSecret'] ??= hsSecretTooShortMessage(needed.algorithm, needed.bytes, bytes);
  if (method === 'oidc') {
    for (const key of ['clientId', 'issuer', 'authorizationEndpoint', 'tokenEndpoint'] as const) {
      if (!oidc[key]) fields[`oidc.${key}`] ??= 'Required when the method is oidc.';
    }
  }
  // Lock-out rule: admins must keep a way in.
  if (!oidc.fallback && !oidc.allowAdminUser) {
    fields['oidc.fallback'] ??=
      'Admins would have no way to sign in: keep fallback on or allow admins to use OIDC.';
  }
  // The IdP may grant the admin role only where admins may use OIDC at all.
  if (oidc.adminGroups.length && !oidc.allowAdminUser)
    fields['oidc.adminGroups'] ??=
      'Admin groups need allowAdminUser on (admins would be made but refused at sign-in).';
  for (const key of ['allowedGroups', 'adminGroups'] as const) {
    if (oidc[key].length && !oidc.groupClaim)
      fields[`oidc.${key}`] ??= 'Needs a group claim (groupClaim) to read the groups from.';
  }
  // EspoCRM refuses this combination too: regular users' fallback needs the fallback itself.
  if (oidc.allowRegularUserFallback && !oidc.fallback) {
    fields['oidc.allowRegularUserFallback'] ??=
      'Needs fallback on: password sign-in of regular users is a kind of fallback.';
  }
  const mapped = oidc.teamMapping.map((row) => row.teamId);
  if (mapped.length && !Object.keys(fields).some((key) => key.startsWith('oidc.teamMapping'))) {
    const existing = await context.teamExists(mapped);
    oidc.teamMapping.forEach((row, index) => {
      if (!existing.has(row.teamId)) fields[`oidc.teamMapping[${index}].teamId`] = 'No such team.';
    });
  }
  if (Object.keys(fields).length) {
    throw new AuthError('validation_failed', 'Some settings are not valid.', { fields });
  }
  return { method, oidc, clientSecret };
}
