import type { DataSource } from 'typeorm';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function pgPoolOf(dataSource: DataSource): PgPool | undefined {
  if (dataSource.options.type !== 'postgres') return undefined;
  const pool = (dataSource.driver as { master?: Partial<PgPool> }).master;
  return typeof pool?.query === 'function' ? (pool as PgPool) : undefined;
}

/**
 * Runs a hot-path query as a named (server-side prepared) statement on the data source's pg
 * pool: parsed and planned once per connection, and no query building per call. Falls back to
 * `dataSource.query` on other drivers. `name` must be unique per `text`.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = pgPoolOf(dataSource);
  if (!pool) return dataSource.query<T[]>(text, values);
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
