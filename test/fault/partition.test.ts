// A network partition between real processes: three storage nodes, each in its own network
// namespace. The group's leader is cut off from its peers with iptables (the test host still
// reaches it): it must stop acknowledging writes, the others must elect a new leader and keep
// acknowledging, and after healing every replica must hold the same log.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { CHANNEL_OPTIONS, services } from '../../nodes/grpc/protos.js';
import { encodeCommand } from '../../storage/partitions/envelope.js';
import { decodeReadResult, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { decodeLogResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { LogClient } from '../integration/log-client.js';
import { NetnsLab } from './netns.js';
import { freePorts } from '../ports.js';

const BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
const PORT = 7100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a leader cut off by a network partition', () => {
  const unavailable = NetnsLab.unavailable();
  let lab: NetnsLab | undefined;
  let setupError: string | undefined;
  const children: ChildProcess[] = [];
  let dir = '';
  let log: LogClient | undefined;
  const addr = (i: number) => `${lab!.ip(i)}:${PORT}`;

  beforeAll(async () => {
    if (unavailable) return;
    lab = new NetnsLab();
    try {
      lab.create(3);
    } catch (err) {
      setupError = `network namespaces cannot be created here: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'stratus-netns-'));
    const peers = [1, 2, 3].map((i) => `${i}=${addr(i)}`).join(',');
    const start = (args: string[], ns: string | undefined, name: string) => {
      const fd = openSync(join(dir, `${name}.log`), 'a');
      const cmd = ns ? 'ip' : process.execPath;
      const argv = ns ? ['netns', 'exec', ns, process.execPath, BIN, 'node', ...args] : [BIN, 'node', ...args];
      children.push(spawn(cmd, argv, { stdio: ['ignore', fd, fd] }));
    };
    for (const i of [1, 2, 3]) {
      start(['--role', 'storage', '--id', String(i), '--peers', peers, '--host', lab.ip(i), '--grpc-port', String(PORT), '--data', join(dir, `node-${i}`), '--tick-ms', '50'], lab.ns(i), `node-${i}`);
    }
    const [gwPort] = (await freePorts(1)) as [number];
    start(['--role', 'gateway', '--id', '1000', '--peers', peers, '--grpc-port', String(gwPort), '--http-port', '0'], undefined, 'gateway');
    log = new LogClient(`127.0.0.1:${gwPort}`);
  }, 30_000);

  afterAll(async () => {
    log?.close();
    for (const c of children) if (c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    await sleep(200);
    lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stops acknowledging on the isolated leader, elects another, converges after healing', async (ctx) => {
    const reason = unavailable ?? setupError;
    if (reason) {
      console.warn(`SKIPPED: partition test: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const l = log!;
    // The cluster comes up: the log is created once all three nodes registered.
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        await l.createLog('part', 1, 3);
        break;
      } catch (err) {
        if (Date.now() > until) throw err;
        await sleep(300);
      }
    }
    const meta = new ClusterClient({ seeds: [1, 2, 3].map(addr) });
    const lr = decodeLogResult(await meta.read(0, encodeMetaQuery({ type: 'getLog', name: 'part' })));
    if (!lr.ok) throw new Error(lr.message);
    const group = lr.value.log.groupIds[0]!;
    meta.close();

    for (let i = 0; i < 50; i++) await l.append('part', [`before-${i}`], { partition: 0 });
    const leader = await leaderOf(group, [1, 2, 3], addr);
    const others = [1, 2, 3].filter((i) => i !== leader);

    lab!.isolate(leader, others);
    const isolatedAt = Date.now();

    // The others elect a new leader and writes through the gateway go on.
    const newLeader = await leaderOf(group, others, addr);
    const electedMs = Date.now() - isolatedAt;
    for (let i = 0; i < 50; i++) await l.append('part', [`during-${i}`], { partition: 0, timeoutMs: 10_000 });

    // The old leader, still reachable from here, never acknowledges a write while cut off.
    const storage = new (services().storage)(addr(leader), grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const payload = encodeLogCommand({ type: 'append', records: [{ value: Buffer.from('isolated') }] });
    for (let seq = 1; seq <= 5; seq++) {
      const command = encodeCommand({ clientId: 'isolated-probe', seq, timestampMs: Date.now(), op: payload.op, body: payload.body });
      const outcome = await new Promise<string>((resolve) => {
        (storage as unknown as { propose(r: object, o: object, cb: (e: grpc.ServiceError | null) => void): void }).propose({ group, command }, { deadline: new Date(Date.now() + 1500) }, (e) =>
          resolve(e ? `error ${grpc.status[e.code]}` : 'acknowledged'),
        );
      });
      expect(outcome, `proposal ${seq} to the isolated node ${leader}`).not.toBe('acknowledged');
    }
    storage.close();

    lab!.heal(leader);
    for (let i = 0; i < 20; i++) await l.append('part', [`after-${i}`], { partition: 0 });
    const expected = await l.readAll('part', 0);
    expect(expected.map((r) => Buffer.from(r.value).toString()).filter((v) => v === 'isolated')).toEqual([]);
    expect(expected).toHaveLength(120);
    for (const i of [1, 2, 3]) {
      const c = new ClusterClient({ seeds: [addr(i)], totalTimeoutMs: 3000 });
      let got: string[] = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const r = decodeReadResult(await c.read(group, encodeLogQuery({ type: 'read', fromOffset: 0, maxRecords: 10_000, maxBytes: 4 << 20 }), { stale: true }));
        got = r.ok ? r.value.records.map((x) => `${x.offset}:${Buffer.from(x.value).toString()}`) : [];
        if (got.length >= expected.length) break;
        await sleep(200);
      }
      c.close();
      expect(got, `replica on node ${i}`).toEqual(expected.map((x) => `${x.offset}:${Buffer.from(x.value).toString()}`));
    }
    console.log(`partition: node ${leader} isolated; node ${newLeader} elected after ${electedMs} ms; converged after healing`);
  }, 120_000);
});

async function leaderOf(group: number, among: number[], addr: (i: number) => string): Promise<number> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    for (const i of among) {
      const c = new ClusterClient({ seeds: [addr(i)] });
      const s = (await c.nodeStatus(addr(i), 500).catch(() => undefined)) as { groups: { group: number; role: string }[] } | undefined;
      c.close();
      if (s?.groups.some((g) => g.group === group && g.role === 'leader')) return i;
    }
    await sleep(100);
  }
  throw new Error(`no leader of group ${group} among nodes ${among.join(', ')}`);
}
