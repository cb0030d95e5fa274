// STUB (owner: authorizers work): replace with the real implementation; keep the export.
import { type Authenticate } from '../../../http.js';
import { type ApigwBackend } from '../../backend.js';
import { type Authorizers } from '../types.js';

export function createAuthorizers(_backend: ApigwBackend, _authenticate: Authenticate): Authorizers & { close(): Promise<void> } {
  return {
    async authorize(call) {
      if (call.authorizationType === 'NONE') return { ok: true, context: {} };
      return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR', message: 'authorizers are not implemented yet' };
    },
    async close() {},
  };
}
