import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottleService } from '../../src/login/login-throttle.service.js';
import { SessionCache } from '../../src/sessions/session-cache.js';
import { SessionChangeListener } from '../../src/sessions/session-change.listener.js';
import { api, loginAsAdmin, oidcSettingsFor, putSettings } from '../support/auth-helpers.js';
import { startCraftedIdp, type CraftedIdp } from '../support/crafted-idp.js';
import { within } from '../support/session-polling.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Settings and providers are cached on every instance and trusted while the change listener is
 * up: a change arrives by NOTIFY (triggers of migration SettingsChangeNotify), so a sign-in pays
 * no version probe. A change written with the triggers switched off (session_replication_role
 * replica) sends no NOTIFY: it shows whether an instance asked the database or trusted its copy.
 */
describe('settings cached across instances, refreshed by NOTIFY', () => {
  let a: TestApp;
  let b: TestApp;
  let db: pg.Client;
  let admin: string;
  let idp: CraftedIdp;

  /** The default provider's button label as instance `t` answers it now. */
  const label = async (t: TestApp): Promise<string> => {
    const response = await api(t, 'get', '/api/v1/auth/methods').expect(200);
    return (response.body as { buttonLabel: string }).buttonLabel;
  };
  const providerLabels = async (t: TestApp): Promise<string[]> => {
    const response = await api(t, 'get', '/api/v1/auth/methods').expect(200);
    return (response.body as { providers: { label: string }[] }).providers.map((p) => p.label);
  };

  /** Writes without firing triggers (no NOTIFY), as a stale instance would never learn of it. */
  const silently = async (sql: string, values: unknown[] = []): Promise<void> => {
    await db.query('BEGIN');
    await db.query('SET LOCAL session_replication_role = replica');
    await db.query(sql, values);
    await db.query('COMMIT');
  };
  const silentLabel = (text: string) =>
    silently(
      `UPDATE auth_settings SET oidc = jsonb_set(oidc, '{buttonLabel}', to_jsonb($1::text)),
              version = version + 1 WHERE id = 1`,
      [text],
    );
  /** B's listener counts as confirmed for a minute: a slow heartbeat cannot make B probe. */
  const holdConfirmed = (t: TestApp) => t.app.get(SessionCache).confirm(performance.now() + 60_000);

  beforeAll(async () => {
    a = await startTestApp({
      auth: { throttle: { callbackPerAddress: 3 } },
    });
    b = await startTestApp({
      databaseUrl: a.databaseUrl,
      secretKey: a.secretKey,
      auth: { throttle: { callbackPerAddress: 3 } },
    });
    for (const t of [a, b])
      (t.app.getHttpAdapter().getInstance() as { set(k: string, v: unknown): void }).set(
        'trust proxy',
        'loopback',
      );
    db = await rawClient(a.databaseUrl);
    admin = await loginAsAdmin(a);
    idp = await startCraftedIdp();
    await putSettings(a, admin, {
      method: 'oidc',
      oidc: { ...idp.settings(), buttonLabel: 'First' },
    });
  });

  afterAll(async () => {
    await idp?.stop();
    await db?.end();
    await b?.close();
    await a?.close();
  });

  it('a change saved through A is answered by A at once and by B within one second', async () => {
    expect(await label(b)).toBe('First');
    await putSettings(a, admin, { oidc: { buttonLabel: 'Second' } });
    // A's own change needs no notification.
    expect(await label(a)).toBe('Second');
    expect(await within(1000, async () => (await label(b)) === 'Second')).toBe(true);
  });

  it('while the listener is up, B trusts its copy: no probe sees a change without NOTIFY', async () => {
    expect(await label(b)).toBe('Second');
    await silentLabel('Silent');
    holdConfirmed(b);
    expect(await label(b)).toBe('Second');
    expect(await label(b)).toBe('Second');
    // The notification alone makes B read again.
    await db.query(`NOTIFY auth_settings_changed, 'auth_settings'`);
    expect(await within(1000, async () => (await label(b)) === 'Silent')).toBe(true);
  });

  it('while the listener is down, every read probes the version (a change is seen at once)', async () => {
    const listener = b.app.get(SessionChangeListener);
    const before = listener.status();
    expect(before.listening).toBe(true);
    await db.query('SELECT pg_terminate_backend($1)', [before.pid]);
    expect(await within(5000, () => Promise.resolve(!listener.status().listening))).toBe(true);
    await silentLabel('While down');
    expect(await label(b)).toBe('While down');
    // Back up: the reconnect itself counts as a change (what happened meanwhile is unknown).
    expect(
      await within(10_000, () => {
        const now = listener.status();
        return Promise.resolve(now.listening && now.connections > before.connections);
      }),
    ).toBe(true);
    await silentLabel('After reconnect');
    expect(await label(b)).toBe('After reconnect');
  });

  it('providers: added through A is listed by B within one second; a silent rename waits for NOTIFY', async () => {
    await putSettings(a, admin, { oidc: { buttonLabel: 'Main' } });
    const created = await api(a, 'post', '/api/v1/admin/authentication/providers', admin).send({
      id: 'partners',
      label: 'Partners',
      oidc: oidcSettingsFor(`${idp.issuer}/partners`),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await providerLabels(a)).toEqual(['Main', 'Partners']);
    expect(
      await within(1000, async () => (await providerLabels(b)).join() === 'Main,Partners'),
    ).toBe(true);
    await silently(`UPDATE auth_provider SET label = 'Renamed', version = version + 1`);
    holdConfirmed(b);
    expect(await providerLabels(b)).toEqual(['Main', 'Partners']);
    await db.query(`NOTIFY auth_settings_changed, 'auth_provider'`);
    expect(
      await within(1000, async () => (await providerLabels(b)).join() === 'Main,Renamed'),
    ).toBe(true);
    // A provider deleted through A is gone from B too (its login answers 404 there).
    await api(a, 'delete', '/api/v1/admin/authentication/providers/partners', admin).expect(200);
    expect(await within(1000, async () => (await providerLabels(b)).join() === 'Main')).toBe(true);
    await api(b, 'get', '/api/v1/auth/oidc/partners/login').expect(404);
  });

  it('the per-address limit of refused callbacks holds across instances, one request late at most', async () => {
    const callback = (t: TestApp) =>
      api(t, 'get', '/api/v1/auth/oidc/callback?code=c&state=s')
        .set('Accept', 'application/json')
        .set('X-Forwarded-For', '10.77.0.1');
    for (let i = 0; i < 3; i++) expect((await callback(a)).body.error).toBe('state_mismatch');
    expect((await callback(a)).body.error).toBe('too_many_attempts');
    // B has seen no refusal from that address yet: it lets one through, counts, then refuses.
    expect((await callback(b)).body.error).toBe('state_mismatch');
    expect((await callback(b)).body.error).toBe('too_many_attempts');
    // The refusal from memory costs no count: an unrelated address is unaffected.
    expect(() => b.app.get(LoginThrottleService).checkAddress('oidc', '10.77.0.2')).not.toThrow();
  });
});
