export * from './engine.js';
export * from './keys.js';
export * from './codec.js';
export * from './memory-engine.js';
export * from './rocks-engine.js';
export * from './snapshot-data.js';
export {
  GroupStorage,
  SNAPSHOT_CHUNK_BYTES,
  type GroupStorageStats,
  type SyncReader,
  type PersistableReady,
} from './group-storage.js';
export * from './group-commit.js';
