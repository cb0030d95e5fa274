// The embedded server in-process: the native LogService end to end, and a restart that must
// find every record where it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { LogClient, type RecordOut } from './log-client.js';
import { freePorts } from '../ports.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-embedded-'));
const [port] = (await freePorts(1)) as [number];

async function start(): Promise<RunningNode> {
  const o = parseNodeOptions(['--data', dir, '--grpc-port', String(port), '--http-port', '0'], {});
  return runNode({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, () => undefined);
}

const text = (r: RecordOut[]) => r.map((x) => `${x.offset}:${Buffer.from(x.value).toString()}`);

describe('the embedded server', () => {
  let node: RunningNode | undefined;
  let client: LogClient | undefined;
  afterAll(async () => {
    client?.close();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the log API and keeps its data across a restart', async () => {
    node = await start();
    client = new LogClient(`127.0.0.1:${port}`);
    const created = await client.createLog('events', 4);
    expect(created.log).toMatchObject({ name: 'events', partitions: 4, replicationFactor: 1 });
    await expect(client.createLog('events')).rejects.toMatchObject({ code: 6 }); // ALREADY_EXISTS

    expect(await client.append('events', ['a', 'b'], { partition: 2 })).toEqual({ partition: 2, firstOffset: 0, lastOffset: 1 });
    expect(await client.append('events', ['c'], { partition: 2 })).toMatchObject({ firstOffset: 2, lastOffset: 2 });
    // A key picks the partition: the same key always lands on the same one.
    const k1 = await client.append('events', ['k'], { key: 'customer-7' });
    const k2 = await client.append('events', ['k'], { key: 'customer-7' });
    expect(k2.partition).toBe(k1.partition);
    expect(k2.firstOffset).toBe(k1.firstOffset + 1);

    // Exactly once: a retry with the same client id and sequence returns the first answer.
    const first = await client.append('events', ['once'], { partition: 3, clientId: 'app-1', sequence: 1 });
    const retry = await client.append('events', ['once'], { partition: 3, clientId: 'app-1', sequence: 1 });
    expect(retry).toEqual(first);

    const before = await client.readAll('events', 2);
    expect(text(before)).toEqual(['0:a', '1:b', '2:c']);
    expect((await client.read('events', 2, 1, 1)).records.map((r) => r.offset)).toEqual([1]);

    client.close();
    await node.stop();
    node = await start();
    client = new LogClient(`127.0.0.1:${port}`);
    expect(text(await client.readAll('events', 2))).toEqual(['0:a', '1:b', '2:c']);
    expect(text(await client.readAll('events', 3)).filter((x) => x.endsWith(':once'))).toHaveLength(1);
    // Offsets go on from where they were; the dedup table survived too.
    expect(await client.append('events', ['d'], { partition: 2 })).toMatchObject({ firstOffset: 3 });
    expect(await client.append('events', ['once'], { partition: 3, clientId: 'app-1', sequence: 1 })).toEqual(first);
    expect((await client.call<{ logs: { name: string }[] }>('listLogs', {})).logs.map((l) => l.name)).toEqual(['events']);
  }, 60_000);

  it('rejects bad requests with gRPC statuses and clear messages', async () => {
    const c = client!;
    await expect(c.read('missing', 0, 0)).rejects.toMatchObject({ code: 5, details: "log 'missing' does not exist" });
    await expect(c.read('events', 9, 0)).rejects.toMatchObject({ code: 5, details: "log 'events' has no partition 9 (it has 4)" });
    await expect(c.createLog('bad name!')).rejects.toMatchObject({ code: 3 });
    await expect(c.createLog('big', 2000)).rejects.toMatchObject({ code: 3, details: 'partitions: must be 1-1024, got 2000' });
    await expect(c.append('events', [], { partition: 0 })).rejects.toMatchObject({ code: 3, details: 'records: at least one record is needed' });
    await expect(c.append('events', [Buffer.alloc(1024 * 1024 + 1)], { partition: 0 })).rejects.toMatchObject({ code: 3 });
    await expect(c.read('events', 2, 99)).rejects.toMatchObject({ code: 11 }); // OUT_OF_RANGE
  });

  it('tails a partition: existing records, then new ones as they commit', async () => {
    const c = client!;
    await c.createLog('feed', 1);
    await c.append('feed', ['one', 'two'], { partition: 0 });
    const stream = c.tail('feed', 0, 1);
    const seen: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: RecordOut) => {
        seen.push(`${r.offset}:${Buffer.from(r.value).toString()}`);
        if (seen.length === 3) resolve();
      });
      stream.on('error', (e: { code?: number }) => (e.code === 1 ? undefined : reject(e)));
    });
    await new Promise((r) => setTimeout(r, 100));
    await c.append('feed', ['three', 'four'], { partition: 0 });
    await done;
    stream.cancel();
    expect(seen).toEqual(['1:two', '2:three', '3:four']);
  });

  it('trims records older than the log retention', async () => {
    const c = client!;
    await c.createLog('short', 1, 0, 300);
    await c.append('short', ['old-1', 'old-2'], { partition: 0 });
    const deadline = Date.now() + 10_000;
    let r = await c.read('short', 0, 2);
    while (r.firstOffset < 2 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = await c.read('short', 0, 2);
    }
    expect(r.firstOffset).toBe(2);
    await expect(c.read('short', 0, 0)).rejects.toMatchObject({ code: 11 }); // below the retained range
    expect(await c.append('short', ['new'], { partition: 0 })).toMatchObject({ firstOffset: 2 });
    await c.call('deleteLog', { name: 'short' });
  });

  it('deletes a log and its data', async () => {
    const c = client!;
    await c.call('deleteLog', { name: 'feed' });
    await expect(c.read('feed', 0, 0)).rejects.toMatchObject({ code: 5 });
    await expect(c.call('deleteLog', { name: 'feed' })).rejects.toMatchObject({ code: 5 });
    const groups = [...node!.storage!.replicas.keys()];
    const deadline = Date.now() + 5000;
    while (node!.storage!.replicas.size > 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(node!.storage!.replicas.size, `replicas left: ${groups.join(',')}`).toBe(5); // meta + 4 partitions of events
  });
});
