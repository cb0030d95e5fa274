// Test helpers for the worker pool: handler code written to a fresh temporary directory per test,
// a pool per test (closed and removed when the test ends), specs, and an HTTP gate that holds
// requests from handlers until the test lets them through, to see them run at the same time.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { type EnvironmentSpec, ExecutionPool, type InvokeRequest } from '../../worker-pool/pool.js';

export interface Harness {
  pool: ExecutionPool;
  root: string;
  tmpRoot: string;
  hostLog: string[];
  /** Resolves at the first host log line matching `re` (already logged or still to come). */
  nextLog(re: RegExp): Promise<string>;
  /** Writes files into a new code directory and returns its path. */
  code(files: Record<string, string>): Promise<string>;
  spec(codeDir: string, o?: Partial<EnvironmentSpec>): EnvironmentSpec;
  req(o?: Partial<InvokeRequest>): InvokeRequest;
}

let seq = 0;

export async function harness(): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'stratus-wp-'));
  const tmpRoot = join(root, 'envs');
  const hostLog: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const pool = new ExecutionPool({
    tmpRoot,
    log: (line) => {
      hostLog.push(line);
      for (const w of waiters.splice(0)) {
        if (w.re.test(line)) w.resolve(line);
        else waiters.push(w);
      }
    },
  });
  onTestFinished(async () => {
    await pool.close();
    await rm(root, { recursive: true, force: true });
  });
  let dirs = 0;
  return {
    pool,
    root,
    tmpRoot,
    hostLog,
    nextLog: (re) =>
      new Promise((resolve) => {
        const seen = hostLog.find((l) => re.test(l));
        if (seen !== undefined) resolve(seen);
        else waiters.push({ re, resolve });
      }),
    async code(files) {
      const dir = join(root, `code-${++dirs}`);
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), text);
      }
      return dir;
    },
    spec: (codeDir, o = {}) => {
      const name = o.functionName ?? 'fn';
      return {
        key: `${name}:${++seq}`,
        codeDir,
        handler: 'index.handler',
        runtime: 'nodejs20.x',
        functionName: name,
        functionVersion: '$LATEST',
        memoryMb: 128,
        timeoutSec: 3,
        ephemeralStorageMb: 512,
        region: 'us-east-1',
        accountId: '000000000000',
        logGroupName: `/aws/lambda/${name}`,
        env: {},
        maxEnvironments: 2,
        idleMs: 60_000,
        ...o,
      };
    },
    req: (o = {}) => ({
      requestId: `req-${++seq}`,
      payload: '{}',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      ...o,
    }),
  };
}

export interface Gate {
  url: string;
  /** Most requests held at once. */
  maxHeld: number;
  /** Resolves once `n` requests are held at the same time. */
  held(n: number): Promise<void>;
  /** Answers the `k` requests that have waited longest. */
  release(k: number): void;
  /** Answers every held request, and from now on every request at once. */
  open(): void;
}

/** An HTTP server that holds requests from handlers until the test lets them through. */
export async function gate(): Promise<Gate> {
  const waiting: ServerResponse<IncomingMessage>[] = [];
  const watchers: { n: number; resolve: () => void }[] = [];
  let opened = false;
  const g: Gate = {
    url: '',
    maxHeld: 0,
    held: (n) =>
      new Promise<void>((resolve) => {
        if (waiting.length >= n) resolve();
        else watchers.push({ n, resolve });
      }),
    release: (k) => {
      for (const r of waiting.splice(0, k)) r.end('go');
    },
    open: () => {
      opened = true;
      g.release(waiting.length);
    },
  };
  const server = createServer((_req, res) => {
    if (opened) {
      res.end('go');
      return;
    }
    waiting.push(res);
    g.maxHeld = Math.max(g.maxHeld, waiting.length);
    for (const w of watchers.splice(0)) {
      if (waiting.length >= w.n) w.resolve();
      else watchers.push(w);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  g.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return g;
}

/** A handler (CommonJS) that waits at the gate in `event.url`, then runs `after` (a function body returning the result). */
export function gateHandler(after: string): string {
  return `const http = require('node:http');
exports.handler = async (event, context) => {
  await new Promise((resolve, reject) => {
    http.get(event.url, { agent: false }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  });
  ${after}
};
`;
}
