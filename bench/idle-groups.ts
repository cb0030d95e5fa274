// What idle groups cost: a local 3-node cluster hosting N log partitions (N Raft groups on every
// node), measured idle for a while — CPU of each storage process — with quiescence on and off.
//
//   npx tsx bench/idle-groups.ts [--groups 1000] [--seconds 10] [--modes off,on]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterClient } from '../nodes/cluster/client.js';
import { type ClusterRecord, clusterDown, clusterUp } from '../nodes/cli/cluster.js';
import { LogClient } from '../test/integration/log-client.js';
import { killPid, onCleanup } from './lib/cleanup.js';

const { values } = parseArgs({
  options: { groups: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' }, modes: { type: 'string', default: 'off,on' } },
});
const modes = values.modes.split(',').map((m) => {
  if (m !== 'on' && m !== 'off') throw new Error(`--modes: on and/or off, got '${m}'`);
  return m;
});
const groups = Number(values.groups);
const seconds = Number(values.seconds);
if (!Number.isInteger(groups) || groups < 1 || groups > 1024 * 16) throw new Error('--groups: 1..16384');

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(quiesce: 'on' | 'off'): Promise<{ cpuPct: number[]; quiet: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-idle-'));
  const base = 24000 + Math.floor(Math.random() * 800) * 8;
  let rec: ClusterRecord | undefined;
  try {
    rec = await clusterUp(['--nodes', '3', '--dir', dir, '--base-port', String(base), '--grpc-port', String(base + 5), '--http-port', '0', '--quiesce', quiesce], () => undefined);
    const pids = rec.processes.map((p) => p.pid);
    onCleanup(() => pids.forEach((p) => killPid(p)));
    const log = new LogClient(`127.0.0.1:${base + 5}`);
    // Logs of at most 1024 partitions each, until `groups` groups exist.
    for (let made = 0, i = 0; made < groups; i++) {
      const n = Math.min(1024, groups - made);
      await log.call('createLog', { name: `idle-${i}`, partitions: n, replicationFactor: 3 }, 300_000);
      made += n;
    }
    log.close();
    const storage = rec.processes.filter((p) => p.role === 'storage');
    await new Promise((r) => setTimeout(r, 3000)); // let elections and the first heartbeats settle
    const before = storage.map((p) => cpuSeconds(p.pid));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpuPct = storage.map((p, i) => (100 * (cpuSeconds(p.pid) - before[i]!)) / seconds);
    const probe = new ClusterClient({ seeds: storage.map((p) => p.grpc) });
    const quiet: number[] = [];
    for (const p of storage) quiet.push(((await probe.nodeStatus(p.grpc, 5000)) as { quiescedGroups: number }).quiescedGroups);
    probe.close();
    return { cpuPct, quiet };
  } finally {
    if (rec) await clusterDown(['--dir', dir], () => undefined).catch(() => undefined);
    for (const p of rec?.processes ?? []) killPid(p.pid);
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = ['| quiescence | groups per node | CPU % per storage node (idle) | quiet groups per node |', '| --- | ---: | --- | --- |'];
for (const q of modes) {
  const r = await measure(q);
  rows.push(`| ${q} | ${groups + 1} | ${r.cpuPct.map((x) => x.toFixed(1)).join(' / ')} | ${r.quiet.join(' / ')} |`);
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
process.stdout.write(rows.join('\n') + '\n');
