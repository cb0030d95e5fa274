// STUB (owner: edge hooks work): replace with the real implementation; keep the export.
import { type ApigwBackend } from '../../backend.js';
import { type EdgeHooks } from '../types.js';

export function createEdgeHooks(_backend: ApigwBackend): EdgeHooks & { close(): Promise<void> } {
  return {
    async viewerRequest(_h, _r, req) {
      return { req };
    },
    async viewerResponse(_h, _r, _req, res) {
      return res;
    },
    async originRequest(_h, _r, req) {
      return { req };
    },
    async originResponse(_h, _r, _req, res) {
      return res;
    },
    async close() {},
  };
}
