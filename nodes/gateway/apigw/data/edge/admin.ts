// STUB (owner: edge hooks work): replace with the real implementation; keep the export.
// Stratus's own management route for edge hooks (not an AWS API):
//   GET|PUT /_stratus/apis/{apiId}/stages/{stageName}/edge-hooks  (PUT body: {"hooks": EdgeHookDoc[]})
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type DataRuntime } from '../types.js';

/** True when the request was for the hooks admin route (answered asynchronously). */
export function serveHookAdmin(_rt: DataRuntime, _req: IncomingMessage, _res: ServerResponse): boolean {
  return false;
}
