// A simulated server's disk: the storage tier's own GroupStorage over the MemoryEngine, so the
// simulator's crashes exercise the real persistence code — every Ready becomes engine ops, and
// every restart reopens the group from the engine's keys alone.
import { GroupStorage, MemoryEngine } from '../../storage/engine/index.js';
import { type ConfState, type Ready } from '../../storage/raft/index.js';

/** The simulated cluster is one Raft group; its id on every node's disk. */
const GROUP = 1;

export class SimDisk {
  readonly engine = new MemoryEngine();
  storage: GroupStorage;

  /** A founding member (voters given) or a node that joins later and starts empty. */
  constructor(bootstrap?: { voters: number[] }) {
    if (bootstrap) {
      const b = GroupStorage.bootstrap(GROUP, bootstrap.voters);
      this.engine.writeSync(b.ops, { sync: true });
      this.storage = b.storage;
    } else {
      this.storage = GroupStorage.empty(GROUP);
    }
  }

  /** Makes a Ready's snapshot, entries and hard state durable (one synced write). */
  persist(rd: Ready): void {
    const ops = this.storage.persistReady({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
    this.engine.writeSync(ops, { sync: true });
  }

  /** Records a snapshot of the state machine at `index` and truncates the log before `compactTo`. */
  snapshotAndCompact(index: number, confState: ConfState, data: Uint8Array, compactTo: number): void {
    const ops = this.storage.createSnapshot(index, confState, data);
    if (compactTo > this.storage.firstIndex()) ops.push(...this.storage.compact(compactTo));
    this.engine.writeSync(ops, { sync: true });
  }

  /** A crash: what was not synced is gone, and the group is read back from the engine. */
  crash(): void {
    this.engine.crash();
    this.storage = GroupStorage.openSync(this.engine, GROUP) ?? GroupStorage.empty(GROUP);
  }
}
