// STUB (owner: edge hooks and observability work): replace with the real implementation; keep the export.
import { type ApigwBackend } from '../backend.js';
import { type Observer } from './types.js';

export function createObserver(_backend: ApigwBackend): Observer {
  return { record: () => undefined };
}
