import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { decryptSecret, encryptSecret } from '../common/crypto.js';
import { preparedQuery } from '../database/prepared-query.js';
import { AlgorithmRegistry } from '../oidc/algorithm-registry.js';
import { TeamEntity } from '../teams/team.entity.js';
import { AuthSettingsEntity } from './auth-settings.entity.js';
import {
  type AuthSettings,
  type AuthSettingsView,
  DEFAULT_OIDC_SETTINGS,
  type StoredOidcSettings,
} from './auth-settings.types.js';
import { SettingsFreshness } from './settings-freshness.js';
import { type ValidationContext, validateSettingsUpdate } from './settings-validator.js';

const SETTINGS_ID = 1;

/**
 * The one settings row, cached with its secret decrypted once per version. While the change
 * listener is up, a change made through any instance reaches every instance by NOTIFY
 * (SettingsFreshness) and a read costs nothing; while it is down, every read checks the row's
 * version first, so a change still takes effect on the next sign-in everywhere.
 */
@Injectable()
export class AuthSettingsService {
  private readonly logger = new Logger('AuthSettings');
  private cached: AuthSettings | undefined;
  /** SettingsFreshness ticket under which `cached` was last known current. */
  private cachedTicket = -1;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(AuthSettingsEntity)
    private readonly repository: Repository<AuthSettingsEntity>,
    @InjectRepository(TeamEntity) private readonly teams: Repository<TeamEntity>,
    private readonly algorithms: AlgorithmRegistry,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly freshness: SettingsFreshness,
  ) {}

  /** Current settings with the secret decrypted (for the module's own use only). */
  async get(): Promise<AuthSettings> {
    if (this.cached && this.freshness.current(this.cachedTicket)) return this.cached;
    // Taken before reading: a change notified while the read runs makes the next get read again.
    const ticket = this.freshness.ticket();
    // Without the listener's word, a one-integer prepared probe is all a login pays.
    if (this.cached && (await this.currentVersion()) === this.cached.version) {
      this.cachedTicket = ticket;
      return this.cached;
    }
    const row = await this.loadRow();
    this.cachedTicket = ticket;
    if (this.cached && this.cached.version === row.version) return this.cached;
    let clientSecret = '';
    if (row.clientSecretEncrypted) {
      try {
        clientSecret = decryptSecret(row.clientSecretEncrypted, this.options.secretKey);
      } catch {
        this.logger.error(
          'The stored client secret cannot be decrypted with the configured secretKey; set it again.',
        );
      }
    }
    this.cached = {
      method: row.method,
      oidc: { ...DEFAULT_OIDC_SETTINGS, ...row.oidc, clientSecret },
      version: row.version,
    };
    return this.cached;
  }

  async view(): Promise<AuthSettingsView> {
    const row = await this.loadRow();
    return this.toView(row);
  }

  /** Validates and stores a partial update; answers the new view. */
  async update(body: unknown): Promise<AuthSettingsView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(AuthSettingsEntity);
      await this.ensureRow(repository);
      // Row lock: concurrent updates apply one after the other, none is lost.
      const row = await repository.findOneOrFail({
        where: { id: SETTINGS_ID },
        lock: { mode: 'pessimistic_write' },
      });
      const update = await validateSettingsUpdate(body, this.validationContext(row, manager));
      row.method = update.method;
      row.oidc = update.oidc;
      if (update.clientSecret !== undefined) {
        row.clientSecretEncrypted = encryptSecret(update.clientSecret, this.options.secretKey);
      }
      row.version += 1;
      const saved = await repository.save(row);
      this.logger.log(
        `Authentication settings changed (version ${saved.version}, method ${saved.method}).`,
      );
      return this.toView(saved);
    });
    // This instance reads the new row at once; the others when the NOTIFY arrives.
    this.freshness.changed();
    return view;
  }

  /**
   * Settings a `PUT` body would give, validated and merged over the stored ones exactly as
   * `update` does, with `method` forced to oidc (so completeness is checked); saves nothing.
   * A missing client secret is the stored one.
   */
  async candidate(body: unknown): Promise<AuthSettings> {
    const row = await this.loadRow();
    const withOidc = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const update = await validateSettingsUpdate(
      { ...withOidc, method: 'oidc' },
      this.validationContext(row, this.dataSource.manager),
    );
    const clientSecret = update.clientSecret ?? (await this.get()).oidc.clientSecret;
    return { method: 'oidc', oidc: { ...update.oidc, clientSecret }, version: 0 };
  }

  private validationContext(row: AuthSettingsEntity, manager: EntityManager): ValidationContext {
    return this.validationContextFor(
      { method: row.method, oidc: row.oidc, clientSecretEncrypted: row.clientSecretEncrypted },
      manager,
    );
  }

  /**
   * The validator's context for stored settings: the site's, or a provider's (ProvidersService).
   * `oidc` is taken over the defaults; the stored secret is decrypted only for its length.
   */
  validationContextFor(
    stored: {
      method: AuthSettings['method'];
      oidc: Partial<StoredOidcSettings> | undefined;
      clientSecretEncrypted: string | null | undefined;
    },
    manager: EntityManager,
  ): ValidationContext {
    return {
      current: {
        method: stored.method,
        oidc: { ...DEFAULT_OIDC_SETTINGS, ...stored.oidc },
        clientSecretSet: !!stored.clientSecretEncrypted,
        clientSecretBytes: this.storedSecretBytes(stored.clientSecretEncrypted),
      },
      isAlgorithmRegistered: (name) => this.algorithms.has(name),
      registeredAlgorithms: () => this.algorithms.names(),
      isJwksAlgorithm: (name) => this.algorithms.get(name)?.keySource === 'jwks',
      isSecretAlgorithm: (name) => this.algorithms.get(name)?.keySource === 'client_secret',
      teamExists: async (ids) =>
        new Set(
          (
            await manager
              .getRepository(TeamEntity)
              .find({ where: { id: In(ids) }, select: { id: true } })
          ).map((t) => t.id),
        ),
    };
  }

  /** Settings were changed through this instance by another service (after its commit). */
  changed(): void {
    this.freshness.changed();
  }

  /** Drops the team mapping rows of a deleted team (inside the caller's transaction); answers how many. */
  async removeTeamFromMapping(teamId: string, manager: EntityManager): Promise<number> {
    const repository = manager.getRepository(AuthSettingsEntity);
    const row = await repository.findOne({
      where: { id: SETTINGS_ID },
      lock: { mode: 'pessimistic_write' },
    });
    const mapping = row?.oidc.teamMapping ?? [];
    const kept = mapping.filter((entry) => entry.teamId !== teamId);
    if (!row || kept.length === mapping.length) return 0;
    row.oidc = { ...row.oidc, teamMapping: kept };
    row.version += 1;
    await repository.save(row);
    return mapping.length - kept.length;
  }

  /** UTF-8 length of a stored secret (for the HS* key length rule); undefined when none. */
  private storedSecretBytes(encrypted: string | null | undefined): number | undefined {
    if (!encrypted) return undefined;
    try {
      return Buffer.byteLength(decryptSecret(encrypted, this.options.secretKey), 'utf8');
    } catch {
      return undefined;
    }
  }

  redirectUri(): string {
    return `${this.options.siteOrigin}${this.options.routePrefix}/auth/oidc/callback`;
  }

  backchannelLogoutUri(): string {
    return `${this.options.siteOrigin}${this.options.routePrefix}/backchannelLogout`;
  }

  private toView(row: AuthSettingsEntity): AuthSettingsView {
    return {
      method: row.method,
      oidc: { ...DEFAULT_OIDC_SETTINGS, ...row.oidc },
      clientSecretSet: !!row.clientSecretEncrypted,
      redirectUri: this.redirectUri(),
      backchannelLogoutUri: this.backchannelLogoutUri(),
    };
  }

  private async currentVersion(): Promise<number | undefined> {
    const rows = await preparedQuery<{ version: number }>(
      this.dataSource,
      'auth_settings_version',
      'SELECT version FROM auth_settings WHERE id = $1',
      [SETTINGS_ID],
    );
    return rows[0]?.version;
  }

  private async loadRow(): Promise<AuthSettingsEntity> {
    const row = await this.repository.findOne({ where: { id: SETTINGS_ID } });
    return row ?? (await this.ensureRow(this.repository));
  }

  private async ensureRow(repository: Repository<AuthSettingsEntity>): Promise<AuthSettingsEntity> {
    await repository
      .createQueryBuilder()
      .insert()
      .values({
        id: SETTINGS_ID,
        method: 'password',
        oidc: DEFAULT_OIDC_SETTINGS,
        clientSecretEncrypted: null,
        version: 1,
      })
      .orIgnore()
      .execute();
    return repository.findOneOrFail({ where: { id: SETTINGS_ID } });
  }
}
