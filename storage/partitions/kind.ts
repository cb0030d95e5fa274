import { type Engine, type KvOp } from '../engine/engine.js';

/**
 * A partition kind is a deterministic state machine over its group's key-value space. The
 * storage node applies committed commands in log order and writes the ops they produce in one
 * batch together with the group's applied index, so state and applied index never disagree.
 *
 * Determinism: apply() may depend only on the command bytes, the entry's index and the state
 * built by earlier applies. Anything time-like travels inside the command (the leader stamps it
 * when proposing), never from a clock at apply time.
 */

export interface ApplyContext {
  /** Raft index of the entry being applied. */
  index: number;
  /** Puts and deletes to write, keys relative to the group's state-machine space. */
  ops: KvOp[];
}

/** The group's state-machine key space, seen through its prefix: keys here are relative. */
export interface PartitionStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  scan(opts: { gte: Uint8Array; lt: Uint8Array; limit?: number; reverse?: boolean }): AsyncIterable<[Uint8Array, Uint8Array]>;
}

export interface PartitionStateMachine {
  /**
   * Rebuilds the in-memory part of the state (counters, indexes, the dedup table) from the
   * store: at open, and after a snapshot replaced the store's contents.
   */
  load(store: PartitionStore): Promise<void>;
  /** Applies one committed command; returns the encoded result handed back to the proposer. */
  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array;
  /** Answers a read from applied state (the host has made the read linearizable, or not, before). */
  read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array>;
}

export type PartitionKind = 'meta' | 'log' | 'queue' | 'blob' | 'stream' | 'topic' | 'workflow';

export type { Engine };
