import { Injectable } from '@nestjs/common';
import { SessionCache } from '../sessions/session-cache.js';

/** Channel the settings and provider triggers notify on (migration SettingsChangeNotify). */
export const SETTINGS_CHANGED_CHANNEL = 'auth_settings_changed';

/**
 * Whether settings read earlier are still current without asking the database. The session
 * change listener also LISTENs on the settings channel: every notification (and every connect
 * or loss of the listener) bumps a generation, and a copy read under an older generation is
 * checked again. Trusted only while the session cache is: the listener connected and its
 * heartbeat proving recently that no notification was missed; otherwise (listener down, or
 * before it first connects) every read probes the version as before.
 */
@Injectable()
export class SettingsFreshness {
  private generation = 0;

  constructor(private readonly liveness: SessionCache) {}

  /** Take BEFORE reading the settings; a copy is current while `current(ticket)` holds. */
  ticket(): number {
    return this.generation;
  }

  current(ticket: number): boolean {
    return ticket === this.generation && this.liveness.trusted();
  }

  /** Some settings changed (a notification, a change made by this instance, a reconnect). */
  changed(): void {
    this.generation += 1;
  }
}
