// Stratus as the system under test in bench/log.ts: a local 3-node cluster (`stratus cluster
// up`, separate processes) and a client of the gRPC stratus.v1.LogService on its gateway. Every
// append is one LogService.Append request, acknowledged once committed by a majority and fsynced.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { CHANNEL_OPTIONS, services } from '../../nodes/grpc/protos.js';
import { type ClusterRecord, clusterDown, clusterUp } from '../../nodes/cli/cluster.js';
import { killPid, onCleanup } from '../lib/cleanup.js';
import type { LogTarget, TargetOptions } from '../lib/target.js';

type Unary = (req: object, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

/** Finds the storage node leading the benchmark log's only data group. */
async function leaderAddress(rec: ClusterRecord): Promise<string> {
  const probe = new ClusterClient({ seeds: rec.processes.filter((p) => p.role === 'storage').map((p) => p.grpc) });
  try {
    for (let i = 0; i < 100; i++) {
      for (const p of rec.processes.filter((x) => x.role === 'storage')) {
        const s = (await probe.nodeStatus(p.grpc).catch(() => undefined)) as { groups?: { group: number; role: string }[] } | undefined;
        if (s?.groups?.some((g) => g.group !== 0 && g.role === 'leader')) return p.grpc;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('stratus target: no leader found for the benchmark log');
  } finally {
    probe.close();
  }
}

/**
 * `endpoint`: 'leader' (default) sends appends to the partition leader's own LogService, as the
 * etcd client sends to etcd's leader; 'gateway' goes through the separate gateway process (one
 * more hop).
 */
export function stratusTarget(options: Partial<TargetOptions> & { endpoint?: 'leader' | 'gateway' } = {}): LogTarget {
  const endpoint = options.endpoint ?? 'leader';
  let dir: string | undefined;
  let rec: ClusterRecord | undefined;
  let client: grpc.Client | undefined;
  const call = (name: string, req: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const f = (client as unknown as Record<string, Unary>)[name]!.bind(client);
      f(req, (err, reply) => (err ? reject(err) : resolve(reply)));
    });
  const name = 'bench';
  return {
    name: 'stratus',
    async setup(): Promise<void> {
      dir = mkdtempSync(join(options.dataRoot ?? tmpdir(), 'stratus-bench-'));
      const base = 17100 + Math.floor(Math.random() * 800) * 8;
      rec = await clusterUp(['--nodes', '3', '--dir', dir, '--base-port', String(base), '--grpc-port', String(base + 5), '--http-port', '0'], () => undefined);
      const pids = rec.processes.map((p) => p.pid);
      onCleanup(() => pids.forEach((p) => killPid(p)));
      const Ctor = services().log;
      client = new Ctor(`127.0.0.1:${base + 5}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      await call('createLog', { name, partitions: 1, replicationFactor: 3 });
      await call('append', { name, partition: 0, records: [{ value: Buffer.from('warm') }] });
      if (endpoint === 'leader') {
        // Like the etcd client, talk to the partition's leader: every storage node serves the
        // LogService, and the leader's saves the forwarding hop of the separate gateway.
        client.close();
        client = new Ctor(await leaderAddress(rec), grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
        await call('append', { name, partition: 0, records: [{ value: Buffer.from('warm') }] });
      }
    },
    async append(records: Uint8Array[]): Promise<number> {
      const r = (await call('append', { name, partition: 0, records: records.map((value) => ({ value })) })) as { firstOffset: number; lastOffset: number };
      return r.lastOffset - r.firstOffset + 1;
    },
    async teardown(): Promise<void> {
      client?.close();
      if (dir && rec) await clusterDown(['--dir', dir], () => undefined).catch(() => undefined);
      for (const p of rec?.processes ?? []) killPid(p.pid);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
