import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { createTestDatabase } from '../support/test-database.js';

/** Collects a child's output until `pattern` appears (bounded generously: a busy machine is slow). */
function waitForOutput(child: ChildProcess, pattern: RegExp, limitMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${output}`)), limitMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${output}`));
    });
  });
}

describe('npm start (the compiled demo app)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it('prints the URL it really listens on, which answers, as JSON lines with LOG_FORMAT=json', async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'pipe' });
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/demo/main.js'], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: await createTestDatabase(),
        AUTH_SECRET_KEY: 'b'.repeat(64),
        AUTH_SITE_URL: '',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const output = await waitForOutput(child, /Demo app listening on [^\s"]+/);
    const line = output.split('\n').find((l) => l.includes('Demo app listening on'))!;
    const entry = JSON.parse(line) as { level: string; message: string; context: string };
    expect(entry.context).toBe('Demo');
    const url = /listening on (\S+?)[;\s]/.exec(entry.message)?.[1] ?? '';
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(entry.message).not.toContain('open it at');
    const hello = await fetch(`${url}/api/v1/hello`);
    expect(await hello.json()).toEqual({ hello: 'world' });
  }, 180_000);
});
