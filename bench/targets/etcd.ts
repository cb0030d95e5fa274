// etcd as a log: every record is a put of a fresh key (never overwritten) with the record as value;
// a batch of N records is one Txn of N puts (a single Raft entry, etcd's batched write).
import type { LogTarget, TargetOptions } from '../lib/target.js';
import { EtcdKvClient } from '../peers/etcd-client.js';
import { type EtcdCluster, startEtcdCluster } from '../peers/etcd.js';

export interface EtcdTargetOptions extends Partial<TargetOptions> {
  /** HTTP/2 connections from the client to the leader (default 1). */
  connections?: number;
}

// etcd's default limit on operations per Txn.
const ETCD_DEFAULT_MAX_TXN_OPS = 128;

export function etcdTarget(options: EtcdTargetOptions = {}): LogTarget {
  let cluster: EtcdCluster | undefined;
  let client: EtcdKvClient | undefined;
  let seq = 0;
  const prefix = `log/${Date.now().toString(36)}/`;
  const maxBatch = options.maxBatch ?? 1;

  const key = (): Buffer => Buffer.from(prefix + (seq++).toString(36));

  return {
    name: 'etcd',
    async setup(): Promise<void> {
      const extraArgs: string[] = [
        // Room for a multi-GB benchmark history (default quota is 2 GiB; etcd allows up to 8 GiB).
        '--quota-backend-bytes', String(8 * 1024 * 1024 * 1024),
      ];
      if (maxBatch > ETCD_DEFAULT_MAX_TXN_OPS) extraArgs.push('--max-txn-ops', String(maxBatch));
      cluster = await startEtcdCluster({ ...(options.dataRoot !== undefined ? { dataRoot: options.dataRoot } : {}), extraArgs });
      client = await EtcdKvClient.connect({ endpoints: cluster.endpoints, connections: options.connections ?? 1, routing: 'leader' });
    },
    async append(records: Uint8Array[]): Promise<number> {
      if (!client) throw new Error('etcd target: append before setup');
      if (records.length === 1) {
        await client.put(key(), records[0] as Uint8Array);
        return 1;
      }
      await client.putMany(records.map((value) => ({ key: key(), value })));
      return records.length;
    },
    async teardown(): Promise<void> {
      client?.close();
      client = undefined;
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
