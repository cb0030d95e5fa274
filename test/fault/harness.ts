// Multi-process test harness: a local cluster started with `stratus cluster up` machinery, and
// the probes the fault tests need (who leads a group, what each replica holds). Every process
// started is recorded by pid and killed in cleanup(), whatever happened in the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { type ClusterRecord, alive, clusterUp, spawnNode, stopAll } from '../../nodes/cli/cluster.js';
import { decodeReadResult, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { decodeLogResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { LogClient, type RecordOut } from '../integration/log-client.js';
import { freePortBlock } from '../ports.js';

export interface GroupState {
  group: number;
  role: string;
  leader: number;
  term: number;
  commit: number;
  applied: number;
  lastIndex: number;
}

export class TestCluster {
  readonly pids = new Set<number>();
  rec!: ClusterRecord;
  dir = '';
  log!: LogClient;

  static async start(nodes: number, extra: string[] = []): Promise<TestCluster> {
    const c = new TestCluster();
    // A port another process took since it was drawn (test/ports.ts) is drawn again.
    for (let attempt = 1; ; attempt++) {
      const base = await freePortBlock(8);
      c.dir = mkdtempSync(join(tmpdir(), 'stratus-fault-'));
      try {
        c.rec = await clusterUp(['--nodes', String(nodes), '--dir', c.dir, '--base-port', String(base), '--grpc-port', String(base + 7), '--http-port', '0', '--tick-ms', '50', ...extra], () => undefined);
        break;
      } catch (err) {
        rmSync(c.dir, { recursive: true, force: true });
        if (attempt < 3 && err instanceof Error && /the port is in use/.test(err.message)) continue;
        throw err;
      }
    }
    for (const p of c.rec.processes) c.pids.add(p.pid);
    c.log = new LogClient(c.gateway().grpc);
    return c;
  }

  gateway() {
    return this.rec.processes.find((p) => p.role === 'gateway')!;
  }

  storage(id: number) {
    const p = this.rec.processes.find((x) => x.role === 'storage' && x.id === id);
    if (!p) throw new Error(`no storage node ${id}`);
    return p;
  }

  storageIds(): number[] {
    return this.rec.processes.filter((p) => p.role === 'storage').map((p) => p.id);
  }

  async groups(id: number): Promise<GroupState[] | undefined> {
    const c = new ClusterClient({ seeds: [this.storage(id).grpc] });
    try {
      const s = (await c.nodeStatus(this.storage(id).grpc, 1000)) as { groups: GroupState[] };
      return s.groups;
    } catch {
      return undefined;
    } finally {
      c.close();
    }
  }

  /** The node that currently leads `group`, as the nodes themselves report it. */
  async leaderOf(group: number, timeoutMs = 10_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      for (const id of this.storageIds()) {
        if (!alive(this.storage(id).pid)) continue;
        const g = (await this.groups(id))?.find((x) => x.group === group);
        if (g?.role === 'leader') return id;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`group ${group} has no leader after ${timeoutMs} ms`);
  }

  /** The Raft group of a log partition, from the catalog. */
  async groupOf(log: string, partition: number): Promise<number> {
    const c = new ClusterClient({ seeds: this.storageIds().map((id) => this.storage(id).grpc) });
    try {
      const r = decodeLogResult(await c.read(0, encodeMetaQuery({ type: 'getLog', name: log })));
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      return r.value.log.groupIds[partition]!;
    } finally {
      c.close();
    }
  }

  kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    process.kill(this.storage(id).pid, signal);
  }

  /** Restarts a storage node with its original arguments and data directory. */
  restart(id: number): void {
    const p = this.storage(id);
    const { pid } = spawnNode(this.dir, id, p.args, `node-${id}.log`);
    p.pid = pid;
    this.pids.add(pid);
  }

  /** Kills the gateway process (SIGKILL unless said otherwise). */
  killGateway(signal: NodeJS.Signals = 'SIGKILL'): void {
    process.kill(this.gateway().pid, signal);
  }

  /** Restarts the gateway with its original arguments and data directory. */
  restartGateway(): void {
    const g = this.gateway();
    const { pid } = spawnNode(this.dir, g.id, g.args, 'gateway.log');
    g.pid = pid;
    this.pids.add(pid);
  }

  /**
   * Starts one more gateway like the first (functions and workflow executors run in it too), on
   * its own id, ports and data directory, and waits until it answers /ready. It is recorded with
   * the others, so cleanup() stops it; gateway() still answers the first.
   */
  async addGateway(id: number, grpcPort: number, httpPort: number, timeoutMs = 30_000): Promise<ClusterRecord['processes'][number]> {
    const first = this.gateway();
    const replace: Record<string, string> = { '--id': String(id), '--data': join(this.dir, `gateway-${id}`), '--grpc-port': String(grpcPort), '--http-port': String(httpPort) };
    const args = first.args.map((a, i) => replace[first.args[i - 1] ?? ''] ?? a);
    const logName = `gateway-${id}.log`;
    const p = { id, role: 'gateway' as const, grpc: `127.0.0.1:${grpcPort}`, http: `127.0.0.1:${httpPort}`, args, ...spawnNode(this.dir, id, args, logName) };
    this.pids.add(p.pid);
    this.rec.processes.push(p);
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!alive(p.pid)) throw new Error(`gateway ${id} exited during start-up; see ${p.log}`);
      const ok = await fetch(`http://${p.http}/ready`).then((r) => r.ok, () => false);
      if (ok) return p;
      if (Date.now() > until) throw new Error(`gateway ${id} not ready after ${timeoutMs} ms; see ${p.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every record one replica holds (a stale read served by that node alone). */
  async replicaRecords(id: number, group: number): Promise<RecordOut[]> {
    const c = new ClusterClient({ seeds: [this.storage(id).grpc], totalTimeoutMs: 3000 });
    const out: RecordOut[] = [];
    try {
      let from = 0;
      for (;;) {
        const r = decodeReadResult(await c.read(group, encodeLogQuery({ type: 'read', fromOffset: from, maxRecords: 10_000, maxBytes: 4 << 20 }), { stale: true }));
        if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
        out.push(...r.value.records);
        if (r.value.records.length === 0 || r.value.nextOffset >= r.value.highWatermark) return out;
        from = r.value.nextOffset;
      }
    } finally {
      c.close();
    }
  }

  async cleanup(): Promise<void> {
    this.log?.close();
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    if (this.rec) await stopAll(this.rec);
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
