// HTTP APIs' parameter mapping (AWS: "Transforming API requests and responses"): an integration's
// requestParameters (`append:|overwrite:|remove:` + `header.x` / `querystring.x`, `overwrite:path`)
// change what the backend receives; its responseParameters, keyed by the backend's status code,
// change the answer (`append:|overwrite:|remove:header.x`, `overwrite:statuscode`).
import { type ApiRequest, type ApiResponse } from '../types.js';
import { type MappingContext, mappingValue } from './subtypes.js';

/** The request the backend gets: headers, query string and path after the integration's mappings. */
export interface MappedRequest {
  headers: Record<string, string[]>;
  query: [string, string][];
  /** Set by `overwrite:path` (the path the backend receives, replacing the route's). */
  path?: string;
}

const KEY = /^(append|overwrite|remove):(header\.(.+)|querystring\.(.+)|path)$/i;

export function mapRequest(params: Record<string, string>, req: ApiRequest, c: MappingContext): MappedRequest {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = [...v];
  let query = [...new URLSearchParams(req.rawQuery)];
  const out: MappedRequest = { headers, query };
  for (const [key, expr] of Object.entries(params)) {
    const m = KEY.exec(key);
    if (!m) continue;
    const op = m[1]!.toLowerCase();
    // Values come from the original request, as AWS evaluates them before any change.
    const value = op === 'remove' ? '' : mappingValue(expr, req, c);
    if (m[3] !== undefined) {
      const name = m[3].toLowerCase();
      if (op === 'remove') delete headers[name];
      else if (op === 'overwrite') headers[name] = [value];
      else (headers[name] ??= []).push(value);
    } else if (m[4] !== undefined) {
      const name = m[4];
      if (op === 'remove' || op === 'overwrite') query = query.filter(([k]) => k !== name);
      if (op !== 'remove') query.push([name, value]);
    } else if (op === 'overwrite') {
      out.path = value.startsWith('/') ? value : `/${value}`;
    }
  }
  out.query = query;
  return out;
}

function responseValue(expr: string, res: ApiResponse, req: ApiRequest, c: MappingContext): string {
  const one = (e: string): string | undefined => {
    if (e.startsWith('$response.header.')) {
      const name = e.slice(17).toLowerCase();
      const hit = Object.entries(res.headers).find(([k]) => k.toLowerCase() === name);
      return hit ? hit[1].join(',') : '';
    }
    if (e.startsWith('$response.body.')) {
      let v: unknown;
      try {
        v = JSON.parse(res.body.toString('utf8'));
      } catch {
        return '';
      }
      for (const part of e.slice(15).split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
      return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    }
    return undefined;
  };
  const direct = one(expr);
  if (direct !== undefined) return direct;
  const withResponse = expr.replace(/\$\{\$?(response\.[^}]+)\}/g, (_, e: string) => one(`$${e}`) ?? '');
  return mappingValue(withResponse, req, c);
}

/** The answer after the integration's responseParameters for its status code. */
export function mapResponse(all: Record<string, Record<string, string>>, res: ApiResponse, req: ApiRequest, c: MappingContext): ApiResponse {
  const params = all[String(res.status)];
  if (!params) return res;
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) (headers[k.toLowerCase()] ??= []).push(...v);
  let status = res.status;
  for (const [key, expr] of Object.entries(params)) {
    if (key.toLowerCase() === 'overwrite:statuscode') {
      const s = Number(responseValue(expr, res, req, c));
      if (Number.isInteger(s) && s >= 100 && s <= 599) status = s;
      continue;
    }
    const m = /^(append|overwrite|remove):header\.(.+)$/i.exec(key);
    if (!m) continue;
    const op = m[1]!.toLowerCase();
    const name = m[2]!.toLowerCase();
    if (op === 'remove') delete headers[name];
    else if (op === 'overwrite') headers[name] = [responseValue(expr, res, req, c)];
    else (headers[name] ??= []).push(responseValue(expr, res, req, c));
  }
  return { ...res, status, headers };
}
