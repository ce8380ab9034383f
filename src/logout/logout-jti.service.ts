import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LogoutJtiEntity } from './logout-jti.entity.js';

/** Expired jti rows are purged at most this often per instance. */
const PURGE_INTERVAL_MS = 10 * 60_000;

/** Remembers the `jti` of accepted logout tokens in Postgres, so a replay is refused on every instance. */
@Injectable()
export class LogoutJtiService {
  private readonly logger = new Logger('LogoutJti');
  private lastPurge = 0;

  /**
   * Records the jti; false when it was seen before. Inside the caller's transaction, a parallel
   * insert of the same jti waits for it and then finds the row, so only one of them wins.
   */
  async remember(
    manager: EntityManager,
    issuer: string,
    jti: string,
    expiresAt: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO "auth_logout_jti" ("issuer", "jti", "expires_at") VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING "jti"`,
      [issuer, jti, expiresAt],
    );
    return rows.length === 1;
  }

  /** Deletes rows whose token can no longer be accepted anyway; occasional, never fails a request. */
  async purgeExpired(manager: EntityManager, now = Date.now()): Promise<void> {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    try {
      await manager
        .getRepository(LogoutJtiEntity)
        .query(`DELETE FROM "auth_logout_jti" WHERE "expires_at" < now()`);
    } catch (error) {
      this.logger.warn(`Could not purge expired logout token ids: ${(error as Error).message}`);
    }
  }
}
