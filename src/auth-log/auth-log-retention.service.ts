import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';

/** Advisory lock key of the clean-up (two ints: "oidc", 1), held by one instance at a time. */
const LOCK = [0x6f696463, 1] as const;
/** Rows deleted per statement: short transactions, no long lock on the table. */
const BATCH = 5000;

/**
 * Deletes auth log entries older than `authLogRetentionDays`, every
 * `authLogCleanupIntervalSeconds`; `pg_try_advisory_lock` lets one instance do it while
 * the others skip that round.
 */
@Injectable()
export class AuthLogRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuthLogRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.authLogCleanupIntervalSeconds * 1000;
    // Jittered so instances started together do not all try at the same moment.
    const first = Math.min(every, 60_000) * (0.5 + Math.random() / 2);
    const tick = () => void this.purge().catch(() => undefined);
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, every);
      this.timer.unref();
    }, first);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One clean-up round; answers the rows deleted (0 when another instance holds the lock). */
  purge(): Promise<number> {
    this.running ??= this.purgeLocked().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purgeLocked(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    let deleted = 0;
    try {
      await runner.connect();
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [
        ...LOCK,
      ])) as { locked: boolean }[];
      if (!locked) return 0;
      try {
        for (;;) {
          const rows = (await runner.query(
            `DELETE FROM auth_log WHERE id IN (
               SELECT id FROM auth_log WHERE created_at < now() - make_interval(days => $1) LIMIT $2)
             RETURNING 1`,
            [this.options.authLogRetentionDays, BATCH],
          )) as [unknown[], number] | unknown[];
          const count = Array.isArray(rows[0]) ? (rows as [unknown[], number])[1] : rows.length;
          deleted += count;
          if (count < BATCH) break;
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK]);
      }
      if (deleted > 0)
        this.logger.log(
          `Deleted ${deleted} auth log entries older than ${this.options.authLogRetentionDays} days.`,
        );
      return deleted;
    } catch (error) {
      this.logger.warn(`Auth log clean-up failed: ${(error as Error).message}`);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
