/**
 * The key-value engine under every Raft group of a node: one instance per node, shared by all
 * groups (each under its own key prefix, see keys.ts). Two implementations: RocksDB for real
 * nodes, memory for the simulator and fast tests; both pass test/engine/engine-suite.ts.
 */

export type KvOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array }
  /** Deletes every key in [start, end), atomically with the rest of the batch. */
  | { type: 'delRange'; start: Uint8Array; end: Uint8Array };

export interface ScanOptions {
  gte: Uint8Array;
  lt: Uint8Array;
  /** Stop after this many pairs. Default: no limit. */
  limit?: number;
  reverse?: boolean;
}

export interface Engine {
  readonly kind: 'rocksdb' | 'memory';
  /**
   * Applies all ops atomically, in order. With sync the write is durable (fsynced) when the
   * promise resolves; without it, it survives a process crash only if a later synced write lands
   * (the write-ahead log is ordered), and a machine crash may drop it.
   */
  write(ops: KvOp[], opts: { sync: boolean }): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Pairs in key order from a point-in-time view taken when scan() is called: writes made while
   * the caller iterates are not seen, so a snapshot can be streamed while writes continue.
   */
  scan(opts: ScanOptions): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

/** The data directory holds data of another on-disk format version than this build understands. */
export class EngineFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineFormatError';
  }
}
