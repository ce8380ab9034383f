import {
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { SETTINGS_CHANGED_CHANNEL, SettingsFreshness } from '../settings/settings-freshness.js';
import { SessionCache } from './session-cache.js';

/** Channel the database triggers notify on (migration SessionChangeNotify). */
export const SESSION_CHANGED_CHANNEL = 'auth_session_changed';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
/** Each answered heartbeat lets the cache serve a while longer (SessionCache MAX_UNCONFIRMED_MS). */
const HEARTBEAT_MS = 250;
/** A heartbeat unanswered this long means the connection is dead: reconnect. */
const HEARTBEAT_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 5_000;

export interface SessionChangeListenerStatus {
  listening: boolean;
  /** Backend process id of the listening connection (null while down). */
  pid: number | null;
  /** Successful connections so far (1 after start-up, more after reconnects). */
  connections: number;
}

/** pg connection settings taken from the host's TypeORM data source. */
function clientConfig(dataSource: DataSource): pg.ClientConfig {
  const options = dataSource.options as unknown as Record<string, unknown>;
  const config: pg.ClientConfig = {
    application_name: 'auth-session-listener',
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: CONNECT_TIMEOUT_MS,
  };
  if (typeof options.url === 'string') config.connectionString = options.url;
  if (typeof options.host === 'string') config.host = options.host;
  if (typeof options.port === 'number') config.port = options.port;
  if (typeof options.username === 'string') config.user = options.username;
  if (typeof options.password === 'string') config.password = options.password;
  if (typeof options.database === 'string') config.database = options.database;
  if (options.ssl !== undefined) config.ssl = options.ssl as pg.ClientConfig['ssl'];
  return config;
}

/**
 * Keeps one dedicated connection LISTENing for session and user changes and drops the matching
 * cache entries, and for settings and provider changes (SettingsFreshness). While it is down the
 * cache is bypassed (every request reads the database), settings are probed on every read, and
 * it reconnects with backoff; after a reconnect the whole cache starts empty.
 */
@Injectable()
export class SessionChangeListener implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('SessionChangeListener');
  private client: pg.Client | undefined;
  private stopped = false;
  private backoff = INITIAL_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private connections = 0;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: SessionCache,
    private readonly settings: SettingsFreshness,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  status(): SessionChangeListenerStatus {
    const listening = this.cache.stats().enabled;
    return {
      listening,
      pid: listening
        ? ((this.client as { processID?: number } | undefined)?.processID ?? null)
        : null,
      connections: this.connections,
    };
  }

  private connect(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(clientConfig(this.dataSource));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.apply(message.channel, message.payload));
    let listenSentAt = 0;
    try {
      await client.connect();
      listenSentAt = performance.now();
      await client.query(`LISTEN ${SESSION_CHANGED_CHANNEL}; LISTEN ${SETTINGS_CHANGED_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      this.logger.warn(
        `Cannot listen for session changes (${(error as Error).message}); sessions are read from the database on every request until it works.`,
      );
      this.scheduleRetry();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connections += 1;
    this.backoff = INITIAL_BACKOFF_MS;
    this.cache.enable(listenSentAt);
    this.settings.changed();
    this.scheduleBeat(client);
    if (this.connections > 1) this.logger.log('Listening for session changes again.');
  }

  /** Chained, not an interval: a slow beat never overlaps the next one. */
  private scheduleBeat(client: pg.Client): void {
    this.heartbeat = setTimeout(() => void this.beat(client), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private async beat(client: pg.Client): Promise<void> {
    if (client !== this.client) return;
    // Notifications committed before this send arrive before its answer (one ordered connection).
    const sentAt = performance.now();
    try {
      // pg reads `query_timeout` per query; its types only declare it per client.
      await client.query({
        text: 'SELECT 1',
        query_timeout: HEARTBEAT_TIMEOUT_MS,
      } as pg.QueryConfig);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (client !== this.client || this.stopped) return;
    this.cache.confirm(sentAt);
    this.scheduleBeat(client);
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.cache.disable();
    this.settings.changed();
    clearTimeout(this.heartbeat);
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(
      `Session change listener lost${error ? ` (${error.message})` : ''}; reading sessions from the database until it reconnects.`,
    );
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  /** Payloads of the triggers: `s:`/`u:` one id, `ss:`/`uu:` a comma list; anything else clears all. */
  private apply(channel: string, payload: string | undefined): void {
    if (channel === SETTINGS_CHANGED_CHANNEL) return this.settings.changed();
    if (channel !== SESSION_CHANGED_CHANNEL || !payload) return;
    const colon = payload.indexOf(':');
    const kind = colon < 0 ? payload : payload.slice(0, colon);
    const ids = payload.slice(colon + 1);
    if (kind === 's') this.cache.dropSession(ids);
    else if (kind === 'u') this.cache.dropUser(ids);
    else if (kind === 'ss') for (const id of ids.split(',')) this.cache.dropSession(id);
    else if (kind === 'uu') for (const id of ids.split(',')) this.cache.dropUser(id);
    else this.cache.clear();
  }

  private async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.heartbeat);
    this.cache.disable();
    this.settings.changed();
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
