import type { TestApp } from './test-app.js';

/** Polls `check` every 20 ms for up to `limitMs`; answers whether it became true in time. */
export async function within(limitMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
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
