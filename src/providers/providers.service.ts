import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError, isAuthError } from '../common/auth-error.js';
import { decryptSecret, encryptSecret } from '../common/crypto.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { buttonLabelOf } from '../login/login-methods.js';
import { OidcStrategyCache } from '../oidc/oidc-strategy.cache.js';
import { SessionCache } from '../sessions/session-cache.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import {
  type AuthSettings,
  DEFAULT_OIDC_SETTINGS,
  type StoredOidcSettings,
} from '../settings/auth-settings.types.js';
import { validateSettingsUpdate } from '../settings/settings-validator.js';
import { ProviderEntity } from './provider.entity.js';
import {
  DEFAULT_PROVIDER_ID,
  PROVIDER_ID,
  providerLoginUrl,
  providerRedirectUri,
} from './provider-id.js';
import {
  mergeProviderSettings,
  ProviderSettingsService,
  SITE_WIDE_OIDC_FIELDS,
} from './provider-settings.service.js';
import type { ProviderDeleted, ProviderView } from './provider.types.js';

type Fields = Record<string, string>;

/** Values the site-wide fields hold inside a provider's stored `oidc` (never used). */
const NEUTRAL_SITE_FIELDS = {
  fallback: true,
  allowRegularUserFallback: false,
  autoRedirect: false,
  buttonLabel: null,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function checkLabel(value: unknown, fields: Fields): string | undefined {
  if (typeof value !== 'string') return void (fields.label = 'Must be a string.');
  const label = value.trim();
  if (!label) return void (fields.label = 'Required: the text of the login button.');
  if (label.length > 255) return void (fields.label = 'At most 255 characters.');
  if (/[\u0000-\u001f\u007f]/.test(label))
    return void (fields.label = 'Control characters are not allowed.');
  return label;
}

/** Admin CRUD of the providers besides `default` (which stays `GET/PUT /admin/authentication`). */
@Injectable()
export class ProvidersService {
  private readonly logger = new Logger('AuthProviders');

  constructor(
    private readonly dataSource: DataSource,
    private readonly settingsService: AuthSettingsService,
    private readonly providerSettings: ProviderSettingsService,
    private readonly sessionCache: SessionCache,
    private readonly strategies: OidcStrategyCache,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /** `default` first, then the others in the order they were added. */
  async list(): Promise<ProviderView[]> {
    const rows = await this.dataSource
      .getRepository(ProviderEntity)
      .find({ order: { createdAt: 'ASC', id: 'ASC' } });
    const views = [];
    for (const row of rows) views.push(await this.toView(row));
    return [await this.defaultView(), ...views];
  }

  async view(id: string): Promise<ProviderView> {
    if (id === DEFAULT_PROVIDER_ID) return this.defaultView();
    const row = await this.dataSource.getRepository(ProviderEntity).findOne({ where: { id } });
    if (!row) throw this.notFound(id);
    return this.toView(row);
  }

  async create(body: unknown): Promise<ProviderView> {
    const fields: Fields = {};
    if (!isRecord(body))
      throw new AuthError('validation_failed', 'The body must be a JSON object.', {
        fields: { body: 'Must be an object.' },
      });
    this.unknownKeys(body, fields);
    let id: string | undefined;
    if (typeof body.id !== 'string' || !PROVIDER_ID.test(body.id))
      fields.id =
        'Required: lower-case letters, digits and "-", starting with a letter or digit, at most 63.';
    else if (body.id === DEFAULT_PROVIDER_ID)
      fields.id = '"default" is the oidc object of /admin/authentication; choose another id.';
    else id = body.id;
    const label = checkLabel(body.label, fields);
    const enabled = this.checkEnabled(body.enabled, fields) ?? true;
    const update = await this.validateOidc(
      body.oidc ?? {},
      undefined,
      fields,
      this.dataSource.manager,
    );
    if (Object.keys(fields).length || !id || label === undefined || !update)
      throw new AuthError('validation_failed', 'Some fields are not valid.', { fields });
    const repository = this.dataSource.getRepository(ProviderEntity);
    try {
      await repository.insert({
        id,
        label,
        enabled,
        oidc: update.oidc,
        clientSecretEncrypted:
          update.clientSecret !== undefined
            ? encryptSecret(update.clientSecret, this.options.secretKey)
            : null,
        version: 1,
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', `A provider "${id}" exists already.`, {
          fields: { id: 'Already taken.' },
        });
      throw error;
    }
    this.providerSettings.changed();
    this.logger.log(`Provider "${id}" added (${enabled ? 'enabled' : 'disabled'}).`);
    return this.view(id);
  }

  async update(id: string, body: unknown): Promise<ProviderView> {
    this.refuseDefault(id);
    const view = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ProviderEntity);
      // Row lock: concurrent updates apply one after the other, none is lost.
      const row = await repository.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw this.notFound(id);
      const fields: Fields = {};
      if (!isRecord(body))
        throw new AuthError('validation_failed', 'The body must be a JSON object.', {
          fields: { body: 'Must be an object.' },
        });
      this.unknownKeys(body, fields);
      if (body.id !== undefined && body.id !== id)
        fields.id = 'The id of a provider cannot change.';
      const label = body.label === undefined ? row.label : checkLabel(body.label, fields);
      const enabled = this.checkEnabled(body.enabled, fields) ?? row.enabled;
      const update = await this.validateOidc(body.oidc ?? {}, row, fields, manager);
      if (Object.keys(fields).length || label === undefined || !update)
        throw new AuthError('validation_failed', 'Some fields are not valid.', { fields });
      row.label = label;
      row.enabled = enabled;
      row.oidc = update.oidc;
      if (update.clientSecret !== undefined)
        row.clientSecretEncrypted = encryptSecret(update.clientSecret, this.options.secretKey);
      row.version += 1;
      const saved = await repository.save(row);
      this.providerSettings.forget(id);
      this.logger.log(`Provider "${id}" changed (version ${saved.version}).`);
      return this.toView(saved);
    });
    // This instance reads the new row at once; the others when the NOTIFY arrives.
    this.providerSettings.changed();
    return view;
  }

  /** Deletes a provider and revokes its sessions; its users and their identities stay. */
  async remove(id: string): Promise<ProviderDeleted> {
    this.refuseDefault(id);
    const revoked = await this.dataSource.transaction(async (manager) => {
      const deleted = await manager.query<[unknown[], number]>(
        'DELETE FROM auth_provider WHERE id = $1 RETURNING id',
        [id],
      );
      if (!deleted[0]?.length) throw this.notFound(id);
      await manager.query('DELETE FROM auth_login_state WHERE provider_id = $1', [id]);
      const sessions = await manager.query<[{ id: string }[], number]>(
        `UPDATE auth_session SET revoked_at = now()
          WHERE provider_id = $1 AND revoked_at IS NULL RETURNING id`,
        [id],
      );
      return sessions[0] ?? [];
    });
    this.providerSettings.forget(id);
    this.providerSettings.changed();
    this.strategies.drop(id);
    // This instance refuses them at once; the others learn it from the session trigger.
    for (const session of revoked) this.sessionCache.dropSession(session.id);
    this.logger.log(`Provider "${id}" deleted; ${revoked.length} session(s) revoked.`);
    return { id, sessionsRevoked: revoked.length };
  }

  /**
   * Settings a `PUT` body would give this provider, validated and merged exactly as `update`
   * does; saves nothing (the test sign-in runs with them). A missing secret is the stored one.
   */
  async candidate(id: string, body: unknown): Promise<AuthSettings> {
    this.refuseDefault(id);
    const row = await this.dataSource.getRepository(ProviderEntity).findOne({ where: { id } });
    if (!row) throw this.notFound(id);
    const fields: Fields = {};
    const oidc = isRecord(body) ? body.oidc : undefined;
    const update = await this.validateOidc(oidc ?? {}, row, fields, this.dataSource.manager);
    if (Object.keys(fields).length || !update)
      throw new AuthError('validation_failed', 'Some fields are not valid.', { fields });
    const site = await this.settingsService.get();
    let clientSecret = update.clientSecret ?? '';
    if (update.clientSecret === undefined && row.clientSecretEncrypted)
      clientSecret = decryptSecret(row.clientSecretEncrypted, this.options.secretKey);
    return { ...mergeProviderSettings(site, update.oidc, clientSecret, 0, id), method: 'oidc' };
  }

  /** Drops a deleted team's mapping rows from every provider (inside the caller's transaction). */
  async removeTeamFromMappings(teamId: string, manager: EntityManager): Promise<number> {
    const rows = await manager.query<[{ id: string }[], number]>(
      `UPDATE auth_provider
          SET oidc = jsonb_set(oidc, '{teamMapping}', COALESCE((
                SELECT jsonb_agg(entry) FROM jsonb_array_elements(oidc->'teamMapping') entry
                 WHERE entry->>'teamId' <> $1), '[]'::jsonb)),
              version = version + 1, updated_at = now()
        WHERE oidc->'teamMapping' @> jsonb_build_array(jsonb_build_object('teamId', $1::text))
        RETURNING id`,
      [teamId],
    );
    return rows[0]?.length ?? 0;
  }

  private unknownKeys(body: Record<string, unknown>, fields: Fields): void {
    for (const key of Object.keys(body))
      if (!['id', 'label', 'enabled', 'oidc'].includes(key)) fields[key] = 'Unknown field.';
  }

  private checkEnabled(value: unknown, fields: Fields): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return void (fields.enabled = 'Must be true or false.');
    return value;
  }

  /** The settings validator of `PUT /admin/authentication`, on this provider's stored `oidc`. */
  private async validateOidc(
    oidc: unknown,
    row: ProviderEntity | undefined,
    fields: Fields,
    manager: EntityManager,
  ): Promise<{ oidc: StoredOidcSettings; clientSecret: string | undefined } | undefined> {
    // Today's form sends them back as shown (the site's values): accepted; another value is not.
    const site = await this.siteWideValues();
    if (isRecord(oidc))
      for (const key of SITE_WIDE_OIDC_FIELDS)
        if (oidc[key] !== undefined && oidc[key] !== site[key])
          fields[`oidc.${key}`] =
            key === 'buttonLabel'
              ? 'A provider\'s button text is its "label".'
              : 'Site-wide: set it in the oidc object of PUT /admin/authentication.';
    const context = this.settingsService.validationContextFor(
      {
        method: 'oidc',
        oidc: { ...row?.oidc, ...NEUTRAL_SITE_FIELDS },
        clientSecretEncrypted: row?.clientSecretEncrypted,
      },
      manager,
    );
    const withoutSiteWide = isRecord(oidc)
      ? Object.fromEntries(
          Object.entries(oidc).filter(
            ([key]) => !(SITE_WIDE_OIDC_FIELDS as readonly string[]).includes(key),
          ),
        )
      : oidc;
    try {
      // method oidc: a provider is complete (client, issuer, endpoints) from its first save.
      const update = await validateSettingsUpdate(
        { method: 'oidc', oidc: withoutSiteWide },
        context,
      );
      return {
        oidc: { ...update.oidc, ...NEUTRAL_SITE_FIELDS },
        clientSecret: update.clientSecret,
      };
    } catch (error) {
      if (isAuthError(error) && error.code === 'validation_failed' && error.fields) {
        Object.assign(fields, error.fields);
        return undefined;
      }
      throw error;
    }
  }

  private refuseDefault(id: string): void {
    if (id === DEFAULT_PROVIDER_ID)
      throw new AuthError(
        'conflict',
        'The provider "default" is the oidc object of /admin/authentication; change it there.',
      );
  }

  private notFound(id: string): AuthError {
    return new AuthError('not_found', `No provider "${id.slice(0, 63)}".`);
  }

  private async defaultView(): Promise<ProviderView> {
    const settings = await this.settingsService.view();
    return {
      id: DEFAULT_PROVIDER_ID,
      label: buttonLabelOf({ ...settings.oidc, clientSecret: '' }),
      enabled: settings.method === 'oidc',
      readOnly: true,
      oidc: settings.oidc,
      clientSecretSet: settings.clientSecretSet,
      redirectUri: settings.redirectUri,
      backchannelLogoutUri: settings.backchannelLogoutUri,
      loginUrl: providerLoginUrl(this.options, DEFAULT_PROVIDER_ID),
      version: 0,
    };
  }

  /** The site-wide `oidc` fields as every provider shows (and uses) them: those of `default`. */
  private async siteWideValues(): Promise<
    Pick<StoredOidcSettings, (typeof SITE_WIDE_OIDC_FIELDS)[number]>
  > {
    const { oidc } = await this.settingsService.get();
    return {
      fallback: oidc.fallback,
      allowRegularUserFallback: oidc.allowRegularUserFallback,
      autoRedirect: oidc.autoRedirect,
      buttonLabel: null,
    };
  }

  private async toView(row: ProviderEntity): Promise<ProviderView> {
    return {
      id: row.id,
      label: row.label,
      enabled: row.enabled,
      readOnly: false,
      oidc: { ...DEFAULT_OIDC_SETTINGS, ...row.oidc, ...(await this.siteWideValues()) },
      clientSecretSet: !!row.clientSecretEncrypted,
      redirectUri: providerRedirectUri(this.options, row.id),
      backchannelLogoutUri: this.settingsService.backchannelLogoutUri(),
      loginUrl: providerLoginUrl(this.options, row.id),
      version: row.version,
    };
  }
}
