import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { preparedQuery } from '../database/prepared-query.js';
import { AuthLogEntity } from './auth-log.entity.js';

/** Message of an attempt opened by `start` whose outcome is not written yet. */
export const PENDING_ATTEMPT_MESSAGE = 'Attempt in progress.';
/** A pending attempt older than this was cut off (e.g. by a database outage): not a failure. */
const PENDING_COUNTS_SECONDS = 60;
/** Identical refusals from one address within this many seconds of the first share one row. */
export const FOLD_WINDOW_SECONDS = 60;
/** Most rows one throttle count reads (folded rows keep this far above any limit). */
const MAX_COUNTED_ROWS = 1000;

export interface AuthLogRecord {
  method: AuthLogEntity['method'];
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  /** Stable reason code; `ok` on success. */
  reason: string;
  /** Admin-facing message; never a token or secret. */
  message?: string | null;
  /** Trusted-device cookie id of a password attempt. */
  deviceId?: string | null;
}

export interface AuthLogView {
  id: string;
  createdAt: string;
  method: string;
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  reason: string;
  message: string | null;
  /** Identical refusals this entry stands for (1 unless folded). */
  count: number;
  /** Last refusal folded into this entry; null unless folded. */
  lastAt: string | null;
}

/** Filters and cursor of `GET /admin/auth-log`, already validated. */
export interface AuthLogQuery {
  result?: 'success' | 'failure';
  method?: string;
  userName?: string;
  reason?: string;
  since?: Date;
  until?: Date;
  /** 1 to 1000. */
  limit: number;
  /** Id of an entry: only entries older than it (by created_at, then id). */
  before?: string;
}

/** A failure counted by the throttles: when it (last) happened and how many it stands for. */
export interface CountedFailure {
  at: Date;
  count: number;
  ipAddress: string | null;
  deviceId: string | null;
}

interface FailureRow {
  at: Date;
  count: number;
  ip_address: string | null;
  device_id: string | null;
}

interface RefusalBatch {
  entry: AuthLogRecord;
  values: unknown[];
  count: number;
  written: Promise<void>;
  resolve: () => void;
}

const clip = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.slice(0, max);

@Injectable()
export class AuthLogService {
  private readonly logger = new Logger('AuthLog');
  /** Refusals waiting for the statement in flight for their kind (see `record`). */
  private readonly queued = new Map<string, RefusalBatch>();
  private readonly writing = new Set<string>();
  /** Who an attempt opened by `start` is about, until `finish` logs its outcome. */
  private readonly pending = new Map<string, AuthLogRecord>();

  constructor(
    @InjectRepository(AuthLogEntity) private readonly repository: Repository<AuthLogEntity>,
  ) {}

  /**
   * Records an outcome; a refusal identical to one from the same address in the last
   * minute only increments that row's count. Identical refusals arriving while one is being
   * written share the next statement (one in flight per kind and process), so a flood cannot
   * queue pool connections on a row lock. A failure to write never fails the request.
   */
  async record(entry: AuthLogRecord): Promise<void> {
    const values = [
      entry.method,
      clip(entry.userName, 255),
      clip(entry.ipAddress, 64),
      entry.success,
      entry.reason.slice(0, 64),
      clip(entry.message, 2000),
      clip(entry.deviceId, 32),
    ];
    if (entry.success || values[2] === null) {
      this.announce(entry);
      try {
        await preparedQuery(
          this.repository.manager.connection,
          'auth_log_record',
          `INSERT INTO auth_log (method, user_name, ip_address, success, reason, message, device_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          values,
        );
      } catch (error) {
        this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
      }
      return;
    }
    const key = JSON.stringify([values[0], values[4], values[1], values[2], values[6]]);
    let batch = this.queued.get(key);
    if (!batch) {
      let resolve!: () => void;
      const written = new Promise<void>((done) => (resolve = done));
      batch = { entry, values, count: 1, written, resolve };
      this.queued.set(key, batch);
      if (!this.writing.has(key)) void this.writeRefusals(key);
    } else batch.count++;
    return batch.written;
  }

  /** Writes the queued refusals of one kind as one fold-or-insert, then the next batch if any. */
  private async writeRefusals(key: string): Promise<void> {
    const batch = this.queued.get(key);
    if (!batch) return;
    this.queued.delete(key);
    this.writing.add(key);
    try {
      const inserted = await preparedQuery(
        this.repository.manager.connection,
        'auth_log_record_refusals',
        `WITH target AS (
           SELECT id FROM auth_log
            WHERE ip_address = $3 AND success = false
              AND created_at > now() - make_interval(secs => $8)
              AND method = $1 AND reason = $5 AND user_name IS NOT DISTINCT FROM $2
              AND device_id IS NOT DISTINCT FROM $7 AND message IS DISTINCT FROM $9
            ORDER BY created_at DESC LIMIT 1
         ), folded AS (
           UPDATE auth_log SET count = count + $10, last_at = now()
            WHERE id IN (SELECT id FROM target) RETURNING id
         )
         INSERT INTO auth_log (method, user_name, ip_address, success, reason, message, device_id,
                               count, last_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $10, CASE WHEN $10 > 1 THEN now() END
          WHERE NOT EXISTS (SELECT 1 FROM folded) RETURNING id`,
        [...batch.values, FOLD_WINDOW_SECONDS, PENDING_ATTEMPT_MESSAGE, batch.count],
      );
      // One server-log line per auth log row: a flood of identical refusals is not a flood of lines.
      if (inserted.length > 0) this.announce(batch.entry, batch.count);
    } catch (error) {
      this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
    } finally {
      this.writing.delete(key);
      batch.resolve();
      if (this.queued.has(key)) void this.writeRefusals(key);
    }
  }

  /**
   * Inserts an attempt before its outcome is known (counted as a failure meanwhile), so
   * concurrent attempts see each other when throttling; `finish` records the outcome.
   */
  async start(entry: AuthLogRecord): Promise<string> {
    const result = await this.repository.insert({
      method: entry.method,
      userName: clip(entry.userName, 255),
      ipAddress: clip(entry.ipAddress, 64),
      success: entry.success,
      reason: entry.reason.slice(0, 64),
      message: clip(entry.message, 2000),
      deviceId: clip(entry.deviceId, 32),
    });
    const id = (result.identifiers[0] as { id: string }).id;
    this.rememberPending(id, entry);
    return id;
  }

  /** Records the outcome of an attempt opened with `start`; a refusal may fold into an earlier row. */
  async finish(
    id: string,
    outcome: Pick<AuthLogRecord, 'success' | 'reason' | 'message'>,
  ): Promise<void> {
    const reason = outcome.reason.slice(0, 64);
    const message = clip(outcome.message, 2000);
    const started = this.pending.get(id);
    this.pending.delete(id);
    if (started) this.announce({ ...started, ...outcome });
    try {
      if (outcome.success) {
        await this.repository.update({ id }, { success: true, reason, message });
        return;
      }
      // The pending row either becomes the refusal or is folded into an identical one (and removed).
      await preparedQuery(
        this.repository.manager.connection,
        'auth_log_finish_refusal',
        `WITH pending AS (SELECT * FROM auth_log WHERE id = $1), target AS (
           SELECT t.id FROM auth_log t, pending p
            WHERE t.id <> p.id AND t.ip_address = p.ip_address AND t.success = false
              AND t.created_at > now() - make_interval(secs => $4)
              AND t.method = p.method AND t.reason = $2
              AND t.user_name IS NOT DISTINCT FROM p.user_name
              AND t.device_id IS NOT DISTINCT FROM p.device_id AND t.message IS DISTINCT FROM $5
            ORDER BY t.created_at DESC LIMIT 1
         ), folded AS (
           UPDATE auth_log SET count = count + 1, last_at = now()
            WHERE id IN (SELECT id FROM target) RETURNING id
         ), removed AS (
           DELETE FROM auth_log WHERE id = $1 AND EXISTS (SELECT 1 FROM folded) RETURNING id
         )
         UPDATE auth_log SET success = false, reason = $2, message = $3
          WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM folded)`,
        [id, reason, message, FOLD_WINDOW_SECONDS, PENDING_ATTEMPT_MESSAGE],
      );
    } catch (error) {
      this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
    }
  }

  /**
   * Failed password attempts (wrong password or unknown user, pending ones included) matching
   * `by` in the window, newest first, other than `exceptId`; a folded row counts `count`.
   */
  async passwordFailures(
    by: { userName: string } | { ipAddress: string },
    windowSeconds: number,
    exceptId: string,
  ): Promise<CountedFailure[]> {
    const column = 'userName' in by ? 'user_name' : 'ip_address';
    const value = 'userName' in by ? by.userName : by.ipAddress;
    // Matches the partial indexes of migration LoginThrottleIndexes (method, reason, column, created_at).
    const rows = await preparedQuery<FailureRow>(
      this.repository.manager.connection,
      `auth_log_password_failures_${column}`,
      `SELECT coalesce(last_at, created_at) AS at, count, ip_address, device_id FROM auth_log
        WHERE method = 'password' AND reason = 'invalid_credentials' AND ${column} = $1
          AND created_at > now() - make_interval(secs => $2::float8 + $6::float8)
          AND coalesce(last_at, created_at) > now() - make_interval(secs => $2) AND id <> $3
          AND (message IS DISTINCT FROM $4 OR created_at > now() - make_interval(secs => $5))
        ORDER BY at DESC LIMIT ${MAX_COUNTED_ROWS}`,
      [
        value,
        windowSeconds,
        exceptId,
        PENDING_ATTEMPT_MESSAGE,
        PENDING_COUNTS_SECONDS,
        FOLD_WINDOW_SECONDS,
      ],
    );
    return rows.map(toCounted);
  }

  /**
   * Refusals of `method` from one address in the window, newest first; throttle refusals are
   * left out (a flood cannot keep an address refused beyond the window), and so are replays
   * (an IdP retrying a logout is not guessing).
   */
  async addressRefusals(
    method: AuthLogEntity['method'],
    ipAddress: string,
    windowSeconds: number,
  ): Promise<CountedFailure[]> {
    const rows = await preparedQuery<FailureRow>(
      this.repository.manager.connection,
      'auth_log_address_refusals',
      `SELECT coalesce(last_at, created_at) AS at, count, ip_address, device_id FROM auth_log
        WHERE ip_address = $1 AND success = false AND method = $2 AND reason NOT IN ('too_many_attempts', 'logout_token_replayed')
          AND created_at > now() - make_interval(secs => $3::float8 + $4::float8)
          AND coalesce(last_at, created_at) > now() - make_interval(secs => $3)
        ORDER BY at DESC LIMIT ${MAX_COUNTED_ROWS}`,
      [ipAddress, method, windowSeconds, FOLD_WINDOW_SECONDS],
    );
    return rows.map(toCounted);
  }

  /** Entries matching the query, newest first (created_at, then id: a stable cursor). */
  async list(query: AuthLogQuery): Promise<AuthLogView[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => `$${values.push(value)}`;
    if (query.result) where.push(`success = ${query.result === 'success'}`);
    if (query.method) where.push(`method = ${param(query.method)}`);
    if (query.userName !== undefined) where.push(`user_name = ${param(query.userName)}`);
    if (query.reason) where.push(`reason = ${param(query.reason)}`);
    // A folded entry is shown when any of its refusals falls in the range.
    if (query.since) where.push(`coalesce(last_at, created_at) >= ${param(query.since)}`);
    if (query.until) where.push(`created_at <= ${param(query.until)}`);
    if (query.before) {
      const cursor: { created_at: Date }[] = await this.repository.query(
        'SELECT created_at FROM auth_log WHERE id = $1',
        [query.before],
      );
      if (!cursor[0])
        throw new AuthError('validation_failed', 'Some filters are not valid.', {
          fields: { before: 'No such entry (it may have been removed by the retention clean-up).' },
        });
      where.push(`(created_at, id) < (${param(cursor[0].created_at)}, ${param(query.before)})`);
    }
    const rows: (Omit<FailureRow, 'at'> & Record<string, unknown>)[] = await this.repository.query(
      `SELECT id, created_at, method, user_name, ip_address, success, reason, message, count, last_at
         FROM auth_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${param(Math.min(Math.max(query.limit, 1), 1000))}`,
      values,
    );
    return rows.map((row) => ({
      id: row.id as string,
      createdAt: (row.created_at as Date).toISOString(),
      method: row.method as string,
      userName: row.user_name as string | null,
      ipAddress: row.ip_address,
      success: row.success as boolean,
      reason: row.reason as string,
      message: row.message as string | null,
      count: Number(row.count),
      lastAt: row.last_at ? (row.last_at as Date).toISOString() : null,
    }));
  }

  /**
   * One server-log line per recorded outcome, at the default level, so operators see sign-ins,
   * refusals, logouts and throttling without the admin page (DESIGN 2.9: never a token or secret).
   */
  /** The server-log line of an entry (for entries written by another statement, e.g. with a session). */
  announce(entry: AuthLogRecord, count = 1): void {
    // A test sign-in never signed anyone in: its line must not read like one.
    const outcome =
      entry.method === 'oidc_test'
        ? entry.success
          ? 'test passed'
          : 'test refused'
        : entry.success
          ? entry.method === 'logout' || entry.method === 'backchannel'
            ? 'signed out'
            : 'signed in'
          : 'refused';
    // JSON.stringify quotes and escapes IdP-supplied text, so a claim cannot forge a log line.
    const user = entry.userName === null ? '-' : JSON.stringify(entry.userName.slice(0, 255));
    const line = `${entry.method} ${outcome}: reason=${entry.reason} user=${user} ip=${entry.ipAddress ?? '-'}`;
    const detail = entry.message
      ? ` (${JSON.stringify(entry.message.slice(0, 300)).slice(1, -1)})`
      : '';
    const folded = count > 1 ? ` (+${count - 1} identical, folded)` : '';
    if (entry.success) this.logger.log(line + detail);
    else this.logger.warn(line + detail + folded);
  }

  private rememberPending(id: string, entry: AuthLogRecord): void {
    // Bounded: an attempt whose outcome is never written must not grow the map forever.
    if (this.pending.size >= 10_000) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(id, entry);
  }
}

function toCounted(row: FailureRow): CountedFailure {
  return {
    at: new Date(row.at),
    count: Number(row.count),
    ipAddress: row.ip_address,
    deviceId: row.device_id,
  };
}

/**
 * When the `limit`-th most recent counted failure happened (folded rows count several), or
 * null when there are fewer than `limit`: the refusal lasts until that time plus the window.
 */
export function limitReachedAt(failures: readonly CountedFailure[], limit: number): Date | null {
  let total = 0;
  for (const failure of failures) {
    total += failure.count;
    if (total >= limit) return failure.at;
  }
  return null;
}
