import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { decryptSecret } from '../common/crypto.js';
import { preparedQuery } from '../database/prepared-query.js';
import { buttonLabelOf } from '../login/login-methods.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { SettingsFreshness } from '../settings/settings-freshness.js';
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
  /** SettingsFreshness ticket under which `row` was last known current. */
  ticket: number;
}

/** Every provider besides `default` (id, label, enabled), in the order they were added. */
interface ProviderList {
  rows: { id: string; label: string; enabled: boolean }[];
  ticket: number;
}

/** Issuer lookups of back-channel logouts kept at most (their keys come from unverified tokens). */
const MAX_ISSUER_LOOKUPS = 1_000;

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
 * `providerId -> AuthSettings`, cached per provider and version. While the change listener is
 * up, a change made through any instance arrives by NOTIFY (SettingsFreshness) and a read costs
 * nothing; while it is down, each read costs one prepared version probe, so a change still
 * applies at the next sign-in everywhere.
 */
@Injectable()
export class ProviderSettingsService {
  private readonly logger = new Logger('AuthProviders');
  private readonly cache = new Map<string, CachedProvider>();
  private list: ProviderList | undefined;
  private readonly byIssuerCache = new Map<string, { id: string | null; ticket: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly settingsService: AuthSettingsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly freshness: SettingsFreshness,
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
    let cached = this.cache.get(providerId);
    if (!cached || !this.freshness.current(cached.ticket)) {
      // An id the current list lacks is answered without a query (a flood of made-up ids).
      if (this.list && this.freshness.current(this.list.ticket)) {
        if (!this.list.rows.some((row) => row.id === providerId)) return undefined;
      }
      const ticket = this.freshness.ticket();
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
      if (!cached || cached.row.version !== version) {
        const loaded = await this.load(providerId, ticket);
        if (!loaded) return undefined;
        cached = loaded;
      }
      cached.ticket = ticket;
    }
    if (cached.siteVersion !== site.version) {
      cached.siteVersion = site.version;
      cached.resolved = this.resolve(site, cached.row, cached.clientSecret);
    }
    return cached.resolved;
  }

  /** Enabled providers besides `default`, in the order they were added (login buttons). */
  async enabledProviders(): Promise<{ id: string; label: string }[]> {
    return (await this.providerList())
      .filter((row) => row.enabled)
      .map(({ id, label }) => ({ id, label }));
  }

  /**
   * The enabled provider (besides `default`) with this issuer, preferring one whose client id
   * is among `audiences`; undefined when none has it.
   */
  async byIssuer(issuer: string, audiences: string[]): Promise<ResolvedProvider | undefined> {
    const key = JSON.stringify([issuer, audiences]);
    let found = this.byIssuerCache.get(key);
    if (!found || !this.freshness.current(found.ticket)) {
      const ticket = this.freshness.ticket();
      const rows = await preparedQuery<{ id: string }>(
        this.dataSource,
        'auth_provider_by_issuer',
        `SELECT id FROM auth_provider WHERE enabled AND oidc->>'issuer' = $1
          ORDER BY (oidc->>'clientId') = ANY($2::text[]) DESC, created_at, id LIMIT 1`,
        [issuer, audiences],
      );
      found = { id: rows[0]?.id ?? null, ticket };
      if (this.byIssuerCache.size >= MAX_ISSUER_LOOKUPS) this.byIssuerCache.clear();
      this.byIssuerCache.set(key, found);
    }
    return found.id === null ? undefined : this.get(found.id);
  }

  /**
   * True when this instance knows, without a query, that no provider besides `default` is
   * enabled (the cached list is current); false when unknown, and then the list is read in the
   * background for the next call.
   */
  knownNoneEnabled(): boolean {
    if (this.list && this.freshness.current(this.list.ticket))
      return !this.list.rows.some((row) => row.enabled);
    this.providerList().catch((error: unknown) =>
      this.logger.warn(`Reading the providers failed: ${String(error)}`),
    );
    return false;
  }

  /** Forgets a provider at once on this instance (others see its version probe fail). */
  forget(providerId: string): void {
    this.cache.delete(providerId);
  }

  /** A provider changed through this instance (after its commit): read everything again. */
  changed(): void {
    this.freshness.changed();
  }

  private async providerList(): Promise<ProviderList['rows']> {
    if (this.list && this.freshness.current(this.list.ticket)) return this.list.rows;
    const ticket = this.freshness.ticket();
    const rows = await preparedQuery<{ id: string; label: string; enabled: boolean }>(
      this.dataSource,
      'auth_provider_list',
      'SELECT id, label, enabled FROM auth_provider ORDER BY created_at, id',
      [],
    );
    this.list = { rows, ticket };
    return rows;
  }

  private async load(providerId: string, ticket: number): Promise<CachedProvider | undefined> {
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
      ticket,
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
