// The `stratus` command's answers to bad input: one readable line and a non-zero exit.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RocksEngine } from '../../storage/engine/index.js';
import { FORMAT_KEY } from '../../storage/engine/keys.js';
import { freePorts } from '../ports.js';

const BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stratus-cli-'));

function stratus(...args: string[]): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, STRATUS_DATA: '' } });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stratus command-line errors', () => {
  it('names an unknown option', () => {
    expect(stratus('start', '--bogus', '1')).toMatchObject({ code: 2, stderr: "stratus: unknown option '--bogus'\n" });
  });

  it('checks values', () => {
    expect(stratus('start', '--grpc-port', '70000')).toMatchObject({ code: 2, stderr: "stratus: --grpc-port: expected an integer from 1 to 65535, got '70000'\n" });
    expect(stratus('node', '--role', 'scheduler').stderr).toBe('stratus: --peers: a scheduler node needs the storage nodes to reach (id=host:port,...)\n');
    expect(stratus('node', '--role', 'router').stderr).toBe("stratus: --role: expected storage, scheduler, gateway or all, got 'router'\n");
    expect(stratus('node', '--role', 'storage', '--peers', '1=nohost').stderr).toBe("stratus: --peers: expected host:port, got 'nohost'\n");
    expect(stratus('node', '--heartbeat-ticks', '10').stderr).toBe('stratus: --heartbeat-ticks (10) must be less than --election-ticks (10)\n');
    expect(stratus('cluster', 'status', '--dir', join(dir, 'none')).stderr).toBe(`stratus: no cluster is recorded in ${join(dir, 'none')} (no cluster.json)\n`);
  });

  it('refuses a half-set root key environment, and bad --auth/--region/--account-id values', () => {
    const r = spawnSync(process.execPath, [BIN, 'start', '--data', join(dir, 'env')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: '', STRATUS_ROOT_SECRET_ACCESS_KEY: 'only-the-secret-is-set' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('stratus: STRATUS_ROOT_ACCESS_KEY_ID is not set but STRATUS_ROOT_SECRET_ACCESS_KEY is: set both to choose the root key, or neither to have one generated\n');
    expect(stratus('start', '--auth', 'maybe').stderr).toBe("stratus: --auth: expected on or off, got 'maybe'\n");
    expect(stratus('start', '--region', 'mars').stderr).toBe("stratus: --region: expected a region name like us-east-1, got 'mars'\n");
    expect(stratus('start', '--account-id', '12').stderr).toBe("stratus: --account-id: expected 12 digits, got '12'\n");
  });

  it('generates the root key at the first start only: printed once, written 0600', async () => {
    const data = join(dir, 'first-start');
    const run = async (): Promise<string> => {
      const child = spawn(process.execPath, [BIN, 'start', '--data', data, '--grpc-port', String((await freePorts(1))[0]), '--http-port', '0'], {
        env: { ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: '', STRATUS_ROOT_SECRET_ACCESS_KEY: '' },
      });
      let out = '';
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (b: Buffer) => {
            out += b.toString();
            if (out.includes('Ctrl-C stops it.')) resolve();
          });
          child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
        });
      } finally {
        child.kill('SIGKILL');
      }
      return out;
    };
    const first = await run();
    const secret = /aws_secret_access_key = (\S+)/.exec(first)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(statSync(join(data, 'credentials')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(data, 'credentials'), 'utf8')).toContain(`aws_secret_access_key = ${secret}`);
    const second = await run();
    expect(second).not.toContain(secret);
    expect(second).toMatch(/Root access key AKIA[A-Z2-7]{16}/);
  }, 60_000);

  it('says when a port is in use', async () => {
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    try {
      const r = stratus('start', '--data', join(dir, 'ports'), '--grpc-port', String(port), '--http-port', '0');
      expect(r).toMatchObject({ code: 2, stderr: `stratus: --grpc-port: cannot listen on 127.0.0.1:${port} (the port is in use)\n` });
      const h = stratus('start', '--data', join(dir, 'ports'), '--grpc-port', String((await freePorts(1))[0]), '--http-port', String(port));
      expect(h).toMatchObject({ code: 2, stderr: `stratus: --http-port: cannot listen on 127.0.0.1:${port} (the port is in use)\n` });
    } finally {
      holder.close();
    }
  });

  it('refuses a data directory of another format version', async () => {
    const data = join(dir, 'future');
    const engine = await RocksEngine.open(join(data, 'engine'));
    await engine.write([{ type: 'put', key: FORMAT_KEY, value: Uint8Array.of(0, 0, 0, 99) }], { sync: true });
    await engine.close();
    const r = stratus('start', '--data', data, '--grpc-port', String((await freePorts(1))[0]), '--http-port', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stratus: --data: .*version 99.*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});
