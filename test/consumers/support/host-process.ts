// Installing, building and running one consumer host app outside the repository (so nothing
// resolves through the repository's own node_modules).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Child processes use the Node binary running the tests (Node 24 under `npx node@24`). */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    SCARF_ANALYTICS: 'false',
    ...extra,
  };
}

export async function run(
  command: string,
  args: string[],
  cwd: string,
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const child = execFileAsync(command, args, {
    cwd,
    env: childEnv(options.env),
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  try {
    const { stdout, stderr } = await child;
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    );
  }
}

/** Apparent size in bytes of a folder tree (symbolic links not followed). */
export function treeSize(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    total += treeSize(join(path, entry.name));
  }
  return total;
}

export interface PreparedHost {
  dir: string;
  /** node_modules size without the library (the host's own packages). */
  baselineBytes: number;
  /** node_modules size with the library installed. */
  installedBytes: number;
}

/**
 * Copies a host to `dir` and installs its pinned packages once (reused while its package.json
 * is unchanged), then the packed library on top: one install per run.
 */
export async function prepareHost(
  sourceDir: string,
  srcFrom: string,
  dir: string,
  tarball: string,
): Promise<PreparedHost> {
  const manifest = readFileSync(join(sourceDir, 'package.json'), 'utf8');
  const stamp = join(dir, '.baseline-manifest.json');
  const baselineFile = join(dir, '.baseline-bytes');
  const reuse =
    existsSync(stamp) && readFileSync(stamp, 'utf8') === manifest && existsSync(baselineFile);
  if (!reuse) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), manifest);
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
    writeFileSync(baselineFile, String(treeSize(join(dir, 'node_modules'))));
    writeFileSync(stamp, manifest);
  }
  rmSync(join(dir, 'src'), { recursive: true, force: true });
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  cpSync(join(srcFrom, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(sourceDir, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  const withLibrary = JSON.parse(manifest) as { dependencies: Record<string, string> };
  withLibrary.dependencies['nest-oidc-auth'] = `file:${tarball}`;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(withLibrary, null, 2)}\n`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  return {
    dir,
    baselineBytes: Number(readFileSync(baselineFile, 'utf8')),
    installedBytes: treeSize(join(dir, 'node_modules')),
  };
}

export interface RunningHost {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/main.js`; resolves once `GET /api/v1/auth/methods` answers 200. */
export async function startHost(
  dir: string,
  port: number,
  env: Record<string, string>,
): Promise<RunningHost> {
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  // Bounded by what start-up needs on a busy machine (migrations, scrypt), polled, not timed.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`The host exited during start-up:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/v1/auth/methods`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return { baseUrl, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`The host did not answer within 90 s:\n${output}`);
}
