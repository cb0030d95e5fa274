// Ports for tests that start servers at fixed addresses (peers must know each other's before they
// start). Each vitest worker draws from its own block of ports below the kernel's ephemeral range
// (32768-60999, which listen(0) and outgoing connections use), checking each is free: test files
// run one at a time in a worker, so a port handed out here is taken by nobody else between the
// draw and the bind, even with several workers running files side by side.
import { createServer } from 'node:net';

const FIRST = 10_000;
const BLOCK = 2_500;
const BLOCKS = 8; // 10000-29999
const pool = Math.max(1, Number(process.env.VITEST_POOL_ID ?? '1') || 1);
const start = FIRST + ((pool - 1) % BLOCKS) * BLOCK;
let cursor = 0;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `n` consecutive free ports (base, base+1, ...) from this worker's block: for clusters laid out from a base port. */
export async function freePortBlock(n: number): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    if (cursor + n > BLOCK) cursor = 0;
    const base = start + cursor;
    cursor += n;
    let all = true;
    for (let i = 0; i < n && all; i++) all = await isFree(base + i);
    if (all) return base;
  }
  throw new Error(`no ${n} consecutive free ports in ${start}-${start + BLOCK - 1}`);
}

/** `n` free ports from this worker's block. */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePortBlock(1));
  return out;
}
