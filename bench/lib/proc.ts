// Small helpers for bench peers that run Debian-packaged servers as child processes: find a
// binary (installing its package with apt-get when missing), check ports, read log tails.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function onPath(cmd: string, extraDirs: readonly string[] = []): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs]) {
    if (!dir) continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function aptGet(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/**
 * Returns the path of `binary` (looked up on PATH and in `extraDirs`), installing the Debian
 * `packages` with apt-get first when it is missing. Throws with the manual command otherwise.
 */
export function ensureInstalled(binary: string, packages: readonly string[], extraDirs: readonly string[] = [], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = onPath(binary, extraDirs);
  if (found) return found;
  const manual = `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;
  if (!onPath('apt-get')) throw new Error(`${binary} is not installed and apt-get is not available; install it yourself (on Debian: ${manual})`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error(`${binary} is not installed and installing it needs root; run: ${manual}`);
  log(`bench: ${binary} not found; apt-get install -y ${packages.join(' ')}`);
  let attempt = aptGet(['install', '-y', ...packages]);
  if (!attempt.ok) {
    log('bench: apt-get install failed; running apt-get update once and retrying');
    const update = aptGet(['update']);
    if (!update.ok) log(`bench: apt-get update failed:\n${update.output.slice(-2000)}`);
    attempt = aptGet(['install', '-y', ...packages]);
  }
  const installed = onPath(binary, extraDirs);
  if (!attempt.ok || !installed) throw new Error(`could not install ${binary} (apt-get install -y ${packages.join(' ')} failed); last output:\n${attempt.output.slice(-3000)}\nInstall it manually: ${manual}`);
  log(`bench: installed ${installed}`);
  return installed;
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function assertPortsFree(what: string, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (await portInUse(port)) throw new Error(`${what}: port ${port} on 127.0.0.1 is already in use (a leftover server from an earlier run? check \`ss -ltnp | grep ${port}\`)`);
  }
}

export function tail(path: string, chars = 2000): string {
  try {
    return readFileSync(path, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop (a benchmark may be mid-flight). */
export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no exit after ${timeoutMs} ms; output so far:\n${(stdout + stderr).slice(-2000)}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Installed version of a Debian package, or 'unknown'. */
export function debVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : 'unknown';
}
