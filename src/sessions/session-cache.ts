import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import type { AuthRequestState } from '../common/request-context.js';

/** A resolved session without its raw token (the cache is keyed by the token's hash). */
export type CachedSession = Omit<AuthRequestState, 'token'>;

interface Entry {
  value: CachedSession;
  /** Epoch ms after which the entry is re-read from the database. */
  until: number;
}

/** Bound on memory: beyond it the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/**
 * Entries are served only while the listener proved it was alive (heartbeat sent) this
 * recently: a silently dead LISTEN connection then costs at most this much staleness (< 1 s).
 */
export const MAX_UNCONFIRMED_MS = 900;

export interface SessionCacheStats {
  enabled: boolean;
  size: number;
  hits: number;
  misses: number;
}

/**
 * In-process cache of live sessions by token hash, so a request on a hit needs no database
 * round trip. Only trusted while the change listener is connected (`enable`/`disable`); any
 * invalidation bumps a generation so a database read racing a revocation is never stored.
 */
@Injectable()
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly bySession = new Map<string, string>();
  private readonly byUser = new Map<string, Set<string>>();
  private generation = 0;
  private enabled = false;
  /** Monotonic time (performance.now) up to which every notification is known to have arrived. */
  private confirmedAt = 0;
  private hits = 0;
  private misses = 0;

  constructor(@InjectAuthOptions() private readonly options: ResolvedAuthOptions) {}

  /** The cached session, or undefined on a miss, an expired entry or while disabled. */
  get(tokenHash: string, now = Date.now()): CachedSession | undefined {
    const entry = this.trusted() ? this.entries.get(tokenHash) : undefined;
    if (!entry || entry.until <= now) {
      if (entry) this.remove(tokenHash);
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    return entry.value;
  }

  /** Take before a database read; pass to `set` so a read older than an invalidation is dropped. */
  ticket(): number {
    return this.generation;
  }

  set(tokenHash: string, value: CachedSession, ticket: number, now = Date.now()): void {
    if (!this.enabled || ticket !== this.generation) return;
    const until = Math.min(
      now + this.options.sessionCacheSeconds * 1000,
      value.session.expiresAt.getTime(),
    );
    if (until <= now) return;
    this.remove(tokenHash);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.entries.set(tokenHash, { value, until });
    this.bySession.set(value.session.id, tokenHash);
    let hashes = this.byUser.get(value.user.id);
    if (!hashes) this.byUser.set(value.user.id, (hashes = new Set()));
    hashes.add(tokenHash);
  }

  dropSession(sessionId: string): void {
    this.generation += 1;
    const hash = this.bySession.get(sessionId);
    if (hash !== undefined) this.remove(hash);
  }

  dropUser(userId: string): void {
    this.generation += 1;
    for (const hash of [...(this.byUser.get(userId) ?? [])]) this.remove(hash);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.bySession.clear();
    this.byUser.clear();
  }

  /** The listener is connected: entries may be served. */
  enable(confirmedAt = performance.now()): void {
    this.clear();
    this.enabled = true;
    this.confirmedAt = confirmedAt;
  }

  /** Every notification sent before `at` (monotonic ms) has been received: keep serving. */
  confirm(at: number): void {
    if (at > this.confirmedAt) this.confirmedAt = at;
  }

  /** Whether the listener proved recently enough that no invalidation was missed. */
  confirmed(now = performance.now()): boolean {
    return now - this.confirmedAt <= MAX_UNCONFIRMED_MS;
  }

  /** The listener is connected and proved recently that no notification was missed. */
  trusted(now = performance.now()): boolean {
    return this.enabled && this.confirmed(now);
  }

  /** The listener is down: every request reads the database until it is back. */
  disable(): void {
    this.enabled = false;
    this.clear();
  }

  stats(): SessionCacheStats {
    return { enabled: this.enabled, size: this.entries.size, hits: this.hits, misses: this.misses };
  }

  private remove(tokenHash: string): void {
    const entry = this.entries.get(tokenHash);
    if (!entry) return;
    this.entries.delete(tokenHash);
    const { session, user } = entry.value;
    if (this.bySession.get(session.id) === tokenHash) this.bySession.delete(session.id);
    const hashes = this.byUser.get(user.id);
    hashes?.delete(tokenHash);
    if (hashes?.size === 0) this.byUser.delete(user.id);
  }
}
