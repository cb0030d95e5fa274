// WebSocket connections live in the gateway that accepted them; `@connections` calls may reach
// any gateway. A connection id carries its gateway's node id (the first 4 of its 12 bytes), each
// gateway announces its HTTP address in the catalog (`apimisc` document `gateway.{nodeId}`), and
// a call for another gateway's connection is passed on to it as received (method, path, headers
// and body, so a SigV4 signature still verifies there), once: a passed-on call that finds no
// connection answers 410 Gone, as one for a closed connection does.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { AwsError } from '../../../errors.js';
import { type ApigwBackend } from '../../backend.js';
import { type ApiRequest, type ApiResponse } from '../types.js';

/** Marks a call one gateway passed to another, so it is never passed on again. */
export const FORWARDED_HEADER = 'x-stratus-forwarded-by';
const ADDRESS_TTL_MS = 10_000;
const FORWARD_TIMEOUT_MS = 5_000;

/** 16 characters of base64 like AWS's, naming the gateway (node id) that holds the connection. */
export function newConnectionId(nodeId: number): string {
  const b = randomBytes(12);
  b.writeUInt32BE(nodeId >>> 0, 0);
  return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The node id a connection id names; undefined for ids not minted by newConnectionId. */
export function ownerOf(connectionId: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{16}$/.test(connectionId)) return undefined;
  return Buffer.from(connectionId.replace(/-/g, '+').replace(/_/g, '/'), 'base64').readUInt32BE(0);
}

interface GatewayDoc {
  http: string;
}

const asGatewayDoc = (v: unknown): GatewayDoc => {
  const http = typeof v === 'object' && v !== null ? (v as { http?: unknown }).http : undefined;
  return { http: typeof http === 'string' ? http : '' };
};

export interface GatewayPeers {
  readonly nodeId: number;
  /** Records where this gateway serves HTTP (host:port), for the others. */
  announce(httpAddress: string): Promise<void>;
  /** Passes a call on to the gateway `owner`; undefined when it cannot be reached or is unknown. */
  forward(owner: number, req: ApiRequest): Promise<ApiResponse | undefined>;
}

export function gatewayPeers(backend: ApigwBackend, nodeId: number): GatewayPeers {
  const name = (id: number): string => `gateway.${id}`;
  const addresses = new Map<number, { http: string | undefined; at: number }>();

  const addressOf = async (id: number): Promise<string | undefined> => {
    const hit = addresses.get(id);
    if (hit && Date.now() - hit.at < ADDRESS_TTL_MS) return hit.http;
    const doc = await backend.store.get('apimisc', name(id), asGatewayDoc, ADDRESS_TTL_MS);
    const http = doc && doc.http !== '' ? doc.http : undefined;
    addresses.set(id, { http, at: Date.now() });
    return http;
  };

  return {
    nodeId,
    async announce(httpAddress) {
      const doc: GatewayDoc = { http: httpAddress };
      const absent = (): AwsError => new AwsError('ApigwNotFoundException', 'absent');
      try {
        await backend.store.update('apimisc', name(nodeId), asGatewayDoc, absent, () => doc);
      } catch (err) {
        if (!(err instanceof AwsError) || err.code !== 'ApigwNotFoundException') throw err;
        await backend.store.create('apimisc', name(nodeId), doc);
      }
    },
    async forward(owner, req) {
      if (owner === nodeId || req.headers[FORWARDED_HEADER] !== undefined) return undefined;
      const http = await addressOf(owner);
      if (http === undefined) return undefined;
      const headers: Record<string, string | string[]> = {};
      for (const [k, vs] of Object.entries(req.signed.headers)) if (vs !== undefined && !/^(content-length|connection|transfer-encoding|keep-alive)$/i.test(k)) headers[k] = vs.length === 1 ? vs[0]! : vs;
      headers[FORWARDED_HEADER] = String(nodeId);
      headers['content-length'] = String(req.body.length);
      const [host, port] = [http.slice(0, http.lastIndexOf(':')), Number(http.slice(http.lastIndexOf(':') + 1))];
      const path = `${req.signed.rawPath}${req.signed.rawQuery !== '' ? `?${req.signed.rawQuery}` : ''}`;
      // node:http rather than fetch: the Host header (signed, and routing host-form URLs) goes as received.
      const res = await new Promise<ApiResponse | undefined>((resolve) => {
        const out = request({ host, port, method: req.method, path, headers, timeout: FORWARD_TIMEOUT_MS }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            const h: Record<string, string[]> = {};
            for (const [k, v] of Object.entries(r.headersDistinct)) if (v !== undefined && !/^(content-length|connection|transfer-encoding|keep-alive|date)$/i.test(k)) h[k] = v;
            resolve({ status: r.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
          });
          r.on('error', () => resolve(undefined));
        });
        out.on('timeout', () => out.destroy());
        out.on('error', () => resolve(undefined));
        out.end(req.body);
      }).catch((err: unknown) => {
        backend.deps.log(`apigw: passing an @connections call on to gateway ${owner} (${http}) failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
      if (!res) addresses.delete(owner);
      return res;
    },
  };
}
