// Seeds users and sessions straight into the database (seconds, not minutes).
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './harness.mjs';

/** A recognisable uuid per user number, so sessions can name their user without a join. */
export const userUuidSql = (expr) =>
  `('00000000-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;

/** One user; answers its id. */
export async function seedUser(client, userName, extra = {}) {
  const { rows } = await client.query(
    `INSERT INTO auth_user (user_name, password_hash) VALUES ($1, '!bench-no-password') RETURNING id`,
    [userName],
  );
  if (extra.issuer && extra.subject)
    await client.query(`INSERT INTO auth_identity (issuer, subject, user_id) VALUES ($1, $2, $3)`, [
      extra.issuer,
      extra.subject,
      rows[0].id,
    ]);
  return rows[0].id;
}

/**
 * `count` live sessions of one user with random tokens (answered, never stored): the
 * database gets only their SHA-256, as the module does.
 */
export async function seedSessions(client, userId, count, idp) {
  const tokens = Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
  for (let start = 0; start < count; start += 10_000) {
    const slice = tokens.slice(start, start + 10_000);
    const sids = slice.map((_, i) => (idp ? `${idp.sidPrefix}${start + i}` : null));
    await client.query(
      `INSERT INTO auth_session (token_hash, user_id, method, idp_issuer, idp_subject, idp_sid, expires_at)
       SELECT h, $2, $3, $4, $5, s, now() + interval '8 hours'
         FROM unnest($1::text[], $6::text[]) AS t(h, s)`,
      [
        slice.map(sha256Hex),
        userId,
        idp ? 'oidc' : 'password',
        idp?.issuer ?? null,
        idp?.subject ?? null,
        sids,
      ],
    );
  }
  return tokens;
}

/** Token of scale session number `n` (the same formula as the SQL seeding below). */
export const scaleToken = (salt, n) => `scale-${salt}-${n}`;

/**
 * Users 1..users (user name `u<n>`, IdP subject `sub-<n>`) and sessions from..to, session n
 * belonging to user ((n-1) % users)+1 with sid `sid-<n>`. Uses INSERT ... SELECT generate_series.
 */
export async function seedScale(
  client,
  { issuer, salt, users, sessionsFrom, sessionsTo, withUsers },
) {
  // Superuser only (embedded Postgres): skips the FK check per row; the rows are consistent by construction.
  const replica = await client
    .query(`SET session_replication_role = replica`)
    .then(() => true)
    .catch(() => false);
  if (withUsers) {
    await client.query(
      `INSERT INTO auth_user (id, user_name, password_hash)
       SELECT ${userUuidSql('n')}, 'u' || n, '!bench-no-password' FROM generate_series(1, $1::int) AS n`,
      [users],
    );
    await client.query(
      `INSERT INTO auth_identity (issuer, subject, user_id)
       SELECT $1, 'sub-' || n, ${userUuidSql('n')} FROM generate_series(1, $2::int) AS n`,
      [issuer, users],
    );
  }
  // Secondary indexes are dropped for the bulk insert and rebuilt from their own definitions
  // (a sorted build is much faster than a million random inserts); unique ones stay.
  const { rows: secondary } = await client.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
     WHERE i.tablename = 'auth_session' AND NOT x.indisunique`,
  );
  for (const index of secondary) await client.query(`DROP INDEX "${index.indexname}"`);
  await client.query(
    `INSERT INTO auth_session (token_hash, user_id, method, idp_issuer, idp_subject, idp_sid, expires_at)
     SELECT encode(sha256(convert_to('scale-' || $2 || '-' || n, 'UTF8')), 'hex'),
            ${userUuidSql('((n - 1) % $3::int) + 1')}, 'oidc', $1, 'sub-' || (((n - 1) % $3::int) + 1),
            'sid-' || n, now() + interval '8 hours'
       FROM generate_series($4::int, $5::int) AS n`,
    [issuer, salt, users, sessionsFrom, sessionsTo],
  );
  for (const index of secondary) await client.query(index.indexdef);
  if (replica) await client.query(`SET session_replication_role = DEFAULT`);
  await client.query(`VACUUM ANALYZE auth_session`);
  await client.query(`VACUUM ANALYZE auth_user`);
}
