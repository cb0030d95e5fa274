// What bench/log.ts drives. A target is one system under test (a 3-node cluster plus a client).
//
// Lifecycle, per run: the runner calls a target factory, then setup() once, then append() many
// times concurrently (up to the cell's concurrency, across all cells of the run), then teardown()
// once. A new target object is made for every run, so each run starts from a fresh cluster.

export interface LogTarget {
  /** Short label used in the table ("etcd", "stratus"). */
  readonly name: string;
  /** Starts the cluster and connects; resolves when writes can be acknowledged. */
  setup(): Promise<void>;
  /**
   * Durably appends the records as ONE request (a single record for unbatched cells, `--batch`
   * records for batched cells) and resolves, once they are committed, to the number of records
   * acknowledged. May be called concurrently; must not retain `records` (buffers are reused).
   */
  append(records: Uint8Array[]): Promise<number>;
  /** Disconnects and stops every process it started, removing its data. Must be safe to call after a failed setup(). */
  teardown(): Promise<void>;
}

export interface TargetOptions {
  /** Parent directory for data dirs (the fsync floor is measured on the same filesystem). */
  dataRoot: string;
  /** Largest number of records ever passed to one append() call in this run. */
  maxBatch: number;
}

export type TargetFactory = (options: TargetOptions) => LogTarget;
