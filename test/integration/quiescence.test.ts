// Idle groups stop ticking: with many partitions idle, every replica goes quiet; work wakes
// them; and when a node goes silent, the quiet followers of the groups it led wake and elect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { LogClient } from './log-client.js';
import { freePortBlock } from '../ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Nodes 1-3 listen on base+1..base+3.
const base = await freePortBlock(4);
const addr = (i: number) => `127.0.0.1:${base + i}`;
const PARTITIONS = 40;

async function until(what: string, f: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('quiescence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-quiet-'));
  const nodes = new Map<number, RunningNode>();
  const clients: LogClient[] = [];

  beforeAll(async () => {
    const peers = [1, 2, 3].map((i) => `${i}=${addr(i)}`).join(',');
    for (const i of [1, 2, 3]) {
      const o = parseNodeOptions(['--role', 'all', '--id', String(i), '--peers', peers, '--grpc-port', String(base + i), '--http-port', '0', '--data', join(dir, `n${i}`), '--tick-ms', '20'], {});
      nodes.set(i, await runNode(o, () => undefined));
    }
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const n of nodes.values()) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const quiet = (i: number) => [...nodes.get(i)!.storage!.replicas.values()].filter((r) => r.quiesced).length;

  it('quiets idle groups, wakes them for work, and elects when a leader node goes silent', async () => {
    const log = new LogClient(addr(1));
    clients.push(log);
    await until('all three nodes registered', async () => {
      try {
        await log.createLog('quiet', PARTITIONS, 3);
        return true;
      } catch {
        return false;
      }
    });
    // Every replica (meta and the partitions) goes quiet on every node.
    await until('every replica quiet', () => [1, 2, 3].every((i) => quiet(i) === PARTITIONS + 1));

    for (let p = 0; p < PARTITIONS; p++) await log.append('quiet', [`first-${p}`], { partition: p });
    await until('quiet again after the work', () => [1, 2, 3].every((i) => quiet(i) === PARTITIONS + 1));

    // Stop the node that leads the most partitions; its quiet followers must notice and elect.
    const leads = (i: number) => [...nodes.get(i)!.storage!.replicas.values()].filter((r) => r.group !== 0 && r.isLeader()).length;
    const victim = [1, 2, 3].sort((a, b) => leads(b) - leads(a))[0]!;
    expect(leads(victim)).toBeGreaterThan(0);
    await nodes.get(victim)!.stop();
    nodes.delete(victim);
    const survivor = [1, 2, 3].find((i) => i !== victim)!;
    const other = new LogClient(addr(survivor));
    clients.push(other);
    const started = Date.now();
    for (let p = 0; p < PARTITIONS; p++) {
      expect((await other.append('quiet', [`second-${p}`], { partition: p, timeoutMs: 20_000 })).firstOffset).toBe(1);
    }
    console.log(`quiescence: node ${victim} (leader of ${PARTITIONS} partitions' share) stopped; all partitions writable again after ${Date.now() - started} ms`);
  }, 90_000);
});
