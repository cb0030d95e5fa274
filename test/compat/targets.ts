// Where the SQS compatibility suite runs: the embedded server in this process, or a local
// 3-node cluster of separate processes (cleaned up by pid). Both use SigV4 with a root key
// given through the environment, as a user's first start would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clusterUp, stopAll, type ClusterRecord } from '../../nodes/cli/cluster.js';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { freePortBlock, freePorts } from '../ports.js';

export const ROOT = { accessKeyId: 'AKIASTRATUSTESTKEY01', secretAccessKey: 'c3RyYXR1cy10ZXN0LXNlY3JldC1rZXktMDAwMDAw' };

export interface SqsTarget {
  endpoint: string;
  client(opts?: { secretAccessKey?: string; accessKeyId?: string }): SQSClient;
  stop(): Promise<void>;
  /** Present for the cluster target. */
  cluster?: ClusterRecord;
}

function clientFor(endpoint: string) {
  return (opts: { secretAccessKey?: string; accessKeyId?: string } = {}): SQSClient =>
    new SQSClient({ endpoint, region: 'us-east-1', credentials: { ...ROOT, ...opts }, maxAttempts: 1 });
}

export async function startEmbedded(extra: string[] = []): Promise<SqsTarget & { node: RunningNode; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-sqs-'));
  const [port] = await freePorts(1);
  const o = parseNodeOptions(['--data', dir, '--grpc-port', String(port), '--http-port', '0', '--tick-ms', '20', ...extra], {});
  process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
  process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
  const node = await runNode({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, () => undefined);
  const endpoint = `http://${node.httpAddress!}`;
  return {
    node,
    dir,
    endpoint,
    client: clientFor(endpoint),
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startCluster(nodes = 3, extra: string[] = []): Promise<SqsTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-sqs-cluster-'));
  const base = await freePortBlock(8);
  process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
  process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
  let rec: ClusterRecord;
  try {
    rec = await clusterUp(['--nodes', String(nodes), '--dir', dir, '--base-port', String(base), '--grpc-port', String(base + 7), '--http-port', String(base + 6), '--tick-ms', '50', ...extra], () => undefined);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${base + 6}`;
  return {
    endpoint,
    cluster: rec,
    client: clientFor(endpoint),
    async stop() {
      await stopAll(rec);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
