// STUB (owner: admission work): replace with the real implementation; keep the export.
import { type ApigwBackend } from '../../backend.js';
import { type Admission } from '../types.js';

export function createAdmission(_backend: ApigwBackend): Admission & { close(): Promise<void> } {
  return {
    async admit() {
      return { ok: true };
    },
    async close() {},
  };
}
