// STUB (owner: HTTP API and WebSocket work): replace with the real implementation; keep the exports.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { type ApiV2Doc } from '../../model.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure } from '../types.js';

export interface WebSocketHub {
  /** Takes over an HTTP upgrade to a WebSocket API's stage (runs $connect, then serves messages). */
  upgrade(api: ApiV2Doc, req: ApiRequest, raw: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The `@connections` management API: POST/GET/DELETE `/@connections/{connectionId}` on the stage. */
  connections(api: ApiV2Doc, req: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}

export function createWebSocketHub(_rt: DataRuntime): WebSocketHub {
  return {
    upgrade(_api, _req, _raw, socket) {
      socket.destroy();
    },
    async connections() {
      throw new GatewayFailure('RESOURCE_NOT_FOUND', 'Not Found');
    },
    async close() {},
  };
}
