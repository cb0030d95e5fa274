export * from './types.js';
export * from './rng.js';
export * from './storage.js';
export * from './config.js';
export * from './confchange.js';
export { leaseTicks } from './lease.js';
export { Raft, type ProposeResult, type ProposeError, type ReadIndexResult, type TransferResult } from './raft.js';
export { RawNode, type Ready, type Status } from './raw-node.js';
