/** Postgres unique-constraint violation (SQLSTATE 23505), through TypeORM's wrapper or raw. */
export function isUniqueViolation(error: unknown): boolean {
  const value = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return value?.code === '23505' || value?.driverError?.code === '23505';
}
