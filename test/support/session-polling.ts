import type { TestApp } from './test-app.js';

/**
 * Polls `check` every 20 ms; answers whether it became true by `limitMs`. The last check is one
 * that started after the bound, so a slow answer on a busy machine never counts as a miss.
 */
export async function within(limitMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const startedAt = Date.now();
    if (await check()) return true;
    if (startedAt >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** HTTP status of `GET /hello/me` with a Bearer token: 200 while the session is accepted. */
export async function sessionStatus(t: TestApp, token: string): Promise<number> {
  const response = await fetch(`${t.baseUrl}/api/v1/hello/me`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}
