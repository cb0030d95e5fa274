// STUB (owner: admission work): replace with the real implementation; keep the export.
import { type ApigwBackend } from '../backend.js';
import { type ResponseCache } from './types.js';

export function createCache(_backend: ApigwBackend): ResponseCache {
  return { get: () => undefined, put: () => undefined };
}
