import { Injectable } from '@nestjs/common';
import { MAX_UNCONFIRMED_MS } from '../sessions/session-cache.js';

/** Channel the settings and provider triggers notify on (migration SettingsChangeNotify). */
export const SETTINGS_CHANGED_CHANNEL = 'auth_settings_changed';

/**
 * Whether settings read earlier are still current without asking the database. The session
 * change listener also LISTENs on the settings channel: every notification bumps a generation,
 * and a copy read under an older generation is checked again. Trusted only while the listener
 * is connected and its heartbeat proved recently that no notification was missed; otherwise
 * (listener down, or before it first connects) every read probes the version as before.
 */
@Injectable()
export class SettingsFreshness {
  private generation = 0;
  private enabled = false;
  /** Monotonic time (performance.now) up to which every notification is known to have arrived. */
  private confirmedAt = 0;

  /** Take BEFORE reading the settings; a copy is current while `current(ticket)` holds. */
  ticket(): number {
    return this.generation;
  }

  current(ticket: number, now = performance.now()): boolean {
    return (
      this.enabled && ticket === this.generation && now - this.confirmedAt <= MAX_UNCONFIRMED_MS
    );
  }

  /** Some settings changed (a notification, or a change made by this instance). */
  changed(): void {
    this.generation += 1;
  }

  /** The listener is connected (LISTEN sent at `confirmedAt`): changes before it are unknown. */
  enable(confirmedAt = performance.now()): void {
    this.generation += 1;
    this.enabled = true;
    this.confirmedAt = confirmedAt;
  }

  confirm(at: number): void {
    if (at > this.confirmedAt) this.confirmedAt = at;
  }

  disable(): void {
    this.generation += 1;
    this.enabled = false;
  }
}
