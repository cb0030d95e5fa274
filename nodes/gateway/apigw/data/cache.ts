// The stage cache: responses by key (stage, flush generation, method, resource path, cache key
// parameters) for their TTL, in this gateway's memory, bounded by total bytes (least recently
// used out first). AWS runs a cache cluster per stage; here each gateway has its own, and
// FlushStageCache empties all of them by moving the stage's generation (part of every key).
import { type ApigwBackend } from '../backend.js';
import { type ApiResponse, type ResponseCache } from './types.js';

/** Far below AWS's smallest cache cluster (0.5 GB): a gateway serves many stages. */
export const CACHE_MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  res: ApiResponse;
  until: number;
  bytes: number;
}

export function createCache(_backend: ApigwBackend, maxBytes = CACHE_MAX_BYTES, now: () => number = () => Date.now()): ResponseCache {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string, e: Entry): void => {
    entries.delete(key);
    bytes -= e.bytes;
  };
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until <= now()) {
        drop(key, e);
        return undefined;
      }
      // Map order is insertion order: re-inserting marks it most recently used.
      entries.delete(key);
      entries.set(key, e);
      return e.res;
    },
    put(key, res, ttlSeconds) {
      if (ttlSeconds <= 0) return;
      const size = res.body.length + key.length + 256;
      if (size > maxBytes) return;
      const old = entries.get(key);
      if (old) drop(key, old);
      while (bytes + size > maxBytes) {
        const [k, e] = entries.entries().next().value as [string, Entry];
        drop(k, e);
      }
      entries.set(key, { res, until: now() + ttlSeconds * 1000, bytes: size });
      bytes += size;
    },
  };
}
