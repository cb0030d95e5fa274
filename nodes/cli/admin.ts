// `stratus cluster drain|undrain NODE_ID`: cluster administration through the meta group.
// Drain marks a storage node 'draining'; the rebalancer on the meta group's leader then moves
// its replicas (its place in the meta group included) to other up nodes and marks it 'removed'
// once no group's configuration holds it. The command follows the drain until then.
import { resolve } from 'node:path';
import { decodeResult } from '../../storage/partitions/envelope.js';
import { type NodeState, type Placement, decodePlacementResult, encodeMetaCommand, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { ClusterClient } from '../cluster/client.js';
import { META_GROUP } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { OptionError } from '../options.js';
import { readRecord } from './cluster.js';

type Out = (s: string) => void;

interface AdminFlags {
  nodeId: number;
  endpoints: string[];
  timeoutSeconds: number;
}

const ENDPOINT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function parseAdminFlags(command: string, argv: string[], allowTimeout: boolean): AdminFlags {
  let nodeId: number | undefined;
  const endpoints: string[] = [];
  let dir = './.stratus-cluster';
  let timeoutSeconds = 600;
  const allowed = ['--endpoint', '--dir', ...(allowTimeout ? ['--timeout'] : [])];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      if (nodeId !== undefined) throw new OptionError(`cluster ${command}: one node id expected, got '${a}' too`);
      if (!/^\d+$/.test(a) || Number(a) < 1 || Number(a) > 0xffff_ffff) throw new OptionError(`cluster ${command}: NODE_ID must be a positive integer, got '${a}'`);
      nodeId = Number(a);
      continue;
    }
    if (!allowed.includes(a)) throw new OptionError(`cluster ${command}: unknown option '${a}' (allowed: ${allowed.join(' ')})`);
    const v = argv[++i];
    if (v === undefined) throw new OptionError(`${a} needs a value`);
    if (a === '--endpoint') {
      for (const e of v.split(',')) {
        if (!ENDPOINT.test(e)) throw new OptionError(`--endpoint: expected host:port, got '${e}'`);
        endpoints.push(e);
      }
    } else if (a === '--dir') dir = v;
    else {
      if (!/^\d+$/.test(v) || Number(v) > 86_400) throw new OptionError(`--timeout: expected seconds from 0 to 86400, got '${v}'`);
      timeoutSeconds = Number(v);
    }
  }
  if (nodeId === undefined) throw new OptionError(`cluster ${command}: NODE_ID is required (usage: stratus cluster ${command} NODE_ID [--endpoint host:port])`);
  if (endpoints.length === 0) {
    const rec = readRecord(resolve(dir));
    const storage = rec?.processes.filter((p) => p.role === 'storage').map((p) => p.grpc) ?? [];
    if (storage.length === 0) throw new OptionError(`cluster ${command}: give --endpoint host:port (a storage node's gRPC address); no cluster is recorded in ${resolve(dir)}`);
    endpoints.push(...storage);
  }
  return { nodeId, endpoints, timeoutSeconds };
}

async function readPlacement(client: ClusterClient): Promise<Placement> {
  const r = decodePlacementResult(await client.read(META_GROUP, encodeMetaQuery({ type: 'getPlacement' })));
  if (!r.ok) throw new Error(`placement: ${r.code}: ${r.message}`);
  return r.value;
}

/** Groups placed on a node; 0 is the meta group (known only once it was first moved). */
function groupsOn(p: Placement, nodeId: number): number[] {
  const out = p.groups.filter((g) => g.replicas.includes(nodeId)).map((g) => g.id);
  if (p.metaReplicas?.includes(nodeId)) out.unshift(META_GROUP);
  return out;
}

async function hostedGroups(client: ClusterClient, address: string): Promise<number | undefined> {
  try {
    const s = (await client.nodeStatus(address, 1000)) as { groups?: unknown[] };
    return s.groups?.length ?? 0;
  } catch {
    return undefined;
  }
}

async function setState(client: ClusterClient, id: number, state: NodeState): Promise<void> {
  const session = new Sequencer(`admin-${process.pid}-${Date.now()}`);
  const r = decodeResult(await session.propose(encodeMetaCommand({ type: 'setNodeState', id, state }), (b) => client.propose(META_GROUP, b)));
  if (!r.ok) throw new Error(`setNodeState: ${r.code}: ${r.message}`);
}

function list(ids: number[]): string {
  const shown = ids.slice(0, 12).map((g) => (g === META_GROUP ? '0 (meta)' : String(g)));
  return shown.join(', ') + (ids.length > 12 ? `, … (${ids.length - 12} more)` : '');
}

export async function drainMain(argv: string[], out: Out = (s) => process.stdout.write(s), opts: { pollMs?: number } = {}): Promise<number> {
  const f = parseAdminFlags('drain', argv, true);
  const client = new ClusterClient({ seeds: f.endpoints });
  try {
    let p = await readPlacement(client);
    const node = p.nodes.find((n) => n.id === f.nodeId);
    if (!node) {
      out(`stratus: node ${f.nodeId} is not registered (nodes: ${p.nodes.map((n) => n.id).join(', ') || 'none'})\n`);
      return 1;
    }
    if (node.state === 'removed') {
      out(`stratus: node ${f.nodeId} is already removed\n`);
      return 0;
    }
    const up = p.nodes.filter((n) => n.state === 'up' && n.id !== f.nodeId).map((n) => n.id);
    const blocked = p.groups.filter((g) => g.replicas.includes(f.nodeId) && !up.some((n) => !g.replicas.includes(n)));
    if (blocked.length > 0) {
      out(`stratus: warning: no other up node can take group(s) ${list(blocked.map((g) => g.id))}; the drain waits until a node joins\n`);
    }
    if (node.state !== 'draining') await setState(client, f.nodeId, 'draining');
    out(`stratus: node ${f.nodeId} (${node.address}) is draining; its replicas move to the other up nodes\n`);
    if (f.timeoutSeconds === 0) return 0;
    const deadline = Date.now() + f.timeoutSeconds * 1000;
    let last = '';
    for (;;) {
      p = await readPlacement(client).catch(() => p);
      const n = p.nodes.find((x) => x.id === f.nodeId);
      if (n?.state === 'removed') {
        out(`stratus: node ${f.nodeId} is drained and removed; it holds no replicas and can be stopped\n`);
        return 0;
      }
      if (n?.state === 'up') {
        out(`stratus: node ${f.nodeId} is up again (undrained); stopping\n`);
        return 1;
      }
      const placed = groupsOn(p, f.nodeId);
      const hosted = await hostedGroups(client, node.address);
      const line = placed.length > 0
        ? `node ${f.nodeId}: ${placed.length} replica(s) still placed on it (groups ${list(placed)})`
        : `node ${f.nodeId}: nothing placed on it; waiting for the last moves to finish`;
      const full = `${line}${hosted === undefined ? '' : `, hosting ${hosted}`}`;
      if (full !== last) out(`${full}\n`);
      last = full;
      if (Date.now() > deadline) {
        out(`stratus: node ${f.nodeId} is still draining after ${f.timeoutSeconds} s; it goes on in the background (run the command again to follow it)\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
  } finally {
    client.close();
  }
}

export async function undrainMain(argv: string[], out: Out = (s) => process.stdout.write(s)): Promise<number> {
  const f = parseAdminFlags('undrain', argv, false);
  const client = new ClusterClient({ seeds: f.endpoints });
  try {
    const p = await readPlacement(client);
    const node = p.nodes.find((n) => n.id === f.nodeId);
    if (!node) {
      out(`stratus: node ${f.nodeId} is not registered\n`);
      return 1;
    }
    if (node.state === 'removed') {
      out(`stratus: node ${f.nodeId} was removed; a removed node does not come back (start a node with a new id)\n`);
      return 1;
    }
    if (node.state === 'up') {
      out(`stratus: node ${f.nodeId} is up\n`);
      return 0;
    }
    await setState(client, f.nodeId, 'up');
    out(`stratus: node ${f.nodeId} is up again; replicas already moved away come back only as the cluster rebalances\n`);
    return 0;
  } finally {
    client.close();
  }
}
