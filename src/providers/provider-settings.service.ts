import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { decryptSecret } from '../common/crypto.js';
import { preparedQuery } from '../database/prepared-query.js';
import { buttonLabelOf } from '../login/login-methods.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import {
  type AuthSettings,
  DEFAULT_OIDC_SETTINGS,
  type StoredOidcSettings,
} from '../settings/auth-settings.types.js';
import { DEFAULT_PROVIDER_ID, isDefaultProvider } from './provider-id.js';

/** A provider as sign-in sees it: the settings the existing code paths take, plus its button. */
export interface ResolvedProvider {
  id: string;
  label: string;
  enabled: boolean;
  settings: AuthSettings & { providerId: string };
}

/** The `oidc` fields that stay site-wide: a provider's own values are never used. */
export const SITE_WIDE_OIDC_FIELDS = [
  'fallback',
  'allowRegularUserFallback',
  'autoRedirect',
  'buttonLabel',
] as const;

interface ProviderRow {
  id: string;
  label: string;
  enabled: boolean;
  oidc: StoredOidcSettings;
  client_secret_encrypted: string | null;
  version: number;
}

interface CachedProvider {
  row: Omit<ProviderRow, 'client_secret_encrypted'>;
  clientSecret: string;
  siteVersion: number;
  resolved: ResolvedProvider;
}

/** The settings of one provider over the site-wide ones (method, fallback rules). */
export function mergeProviderSettings(
  site: AuthSettings,
  oidc: StoredOidcSettings,
  clientSecret: string,
  providerVersion: number,
  providerId: string,
): AuthSettings & { providerId: string } {
  return {
    method: site.method,
    oidc: {
      ...DEFAULT_OIDC_SETTINGS,
      ...oidc,
      fallback: site.oidc.fallback,
      allowRegularUserFallback: site.oidc.allowRegularUserFallback,
      autoRedirect: site.oidc.autoRedirect,
      buttonLabel: null,
      clientSecret,
    },
    version: providerVersion,
    providerId,
  };
}

/**
 * `providerId -> AuthSettings`, cached per provider and version: each read costs one prepared
 * version probe, so a change made through any instance applies at the next sign-in everywhere.
 */
@Injectable()
export class ProviderSettingsService {
  private readonly logger = new Logger('AuthProviders');
  private readonly cache = new Map<string, CachedProvider>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly settingsService: AuthSettingsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /** The provider `providerId`, or undefined when there is none of that id. */
  async get(providerId: string): Promise<ResolvedProvider | undefined> {
    const site = await this.settingsService.get();
    if (isDefaultProvider(providerId))
      return {
        id: DEFAULT_PROVIDER_ID,
        label: buttonLabelOf(site.oidc),
        enabled: site.method === 'oidc',
        settings: { ...site, providerId: DEFAULT_PROVIDER_ID },
      };
    const versions = await preparedQuery<{ version: number }>(
      this.dataSource,
      'auth_provider_version',
      'SELECT version FROM auth_provider WHERE id = $1',
      [providerId],
    );
    const version = versions[0]?.version;
    if (version === undefined) {
      this.cache.delete(providerId);
      return undefined;
    }
    let cached = this.cache.get(providerId);
    if (!cached || cached.row.version !== version) {
      const loaded = await this.load(providerId);
      if (!loaded) return undefined;
      cached = loaded;
    }
    if (cached.siteVersion !== site.version) {
      cached.siteVersion = site.version;
      cached.resolved = this.resolve(site, cached.row, cached.clientSecret);
    }
    return cached.resolved;
  }

  /** Enabled providers besides `default`, in the order they were added (login buttons). */
  async enabledProviders(): Promise<{ id: string; label: string }[]> {
    return preparedQuery<{ id: string; label: string }>(
      this.dataSource,
      'auth_provider_enabled',
      'SELECT id, label FROM auth_provider WHERE enabled ORDER BY created_at, id',
      [],
    );
  }

  /**
   * The enabled provider (besides `default`) with this issuer, preferring one whose client id
   * is among `audiences`; undefined when none has it.
   */
  async byIssuer(issuer: string, audiences: string[]): Promise<ResolvedProvider | undefined> {
    const rows = await preparedQuery<{ id: string }>(
      this.dataSource,
      'auth_provider_by_issuer',
      `SELECT id FROM auth_provider WHERE enabled AND oidc->>'issuer' = $1
        ORDER BY (oidc->>'clientId') = ANY($2::text[]) DESC, created_at, id LIMIT 1`,
      [issuer, audiences],
    );
    return rows[0] ? this.get(rows[0].id) : undefined;
  }

  /** Forgets a provider at once on this instance (others see its version probe fail). */
  forget(providerId: string): void {
    this.cache.delete(providerId);
  }

  private async load(providerId: string): Promise<CachedProvider | undefined> {
    const rows = await this.dataSource.query<ProviderRow[]>(
      `SELECT id, label, enabled, oidc, client_secret_encrypted, version
         FROM auth_provider WHERE id = $1`,
      [providerId],
    );
    const row = rows[0];
    if (!row) return undefined;
    let clientSecret = '';
    if (row.client_secret_encrypted) {
      try {
        clientSecret = decryptSecret(row.client_secret_encrypted, this.options.secretKey);
      } catch {
        this.logger.error(
          `The client secret of provider "${providerId}" cannot be decrypted with the configured secretKey; set it again.`,
        );
      }
    }
    // The encrypted box is not kept in memory beside the decrypted secret.
    const plain = { ...row, client_secret_encrypted: undefined };
    const site = await this.settingsService.get();
    const cached: CachedProvider = {
      row: plain,
      clientSecret,
      siteVersion: site.version,
      resolved: this.resolve(site, plain, clientSecret),
    };
    this.cache.set(providerId, cached);
    return cached;
  }

  private resolve(
    site: AuthSettings,
    row: Omit<ProviderRow, 'client_secret_encrypted'>,
    clientSecret: string,
  ): ResolvedProvider {
    return {
      id: row.id,
      label: row.label,
      enabled: row.enabled,
      settings: mergeProviderSettings(site, row.oidc, clientSecret, row.version, row.id),
    };
  }
}
