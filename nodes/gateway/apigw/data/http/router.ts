// Which route of an HTTP API deployment a request takes, as AWS chooses: the most specific
// match — literal segments before `{param}`, a greedy `{proxy+}` last, the request's own method
// before ANY — and `$default` when no route matches.
import { type RouteDoc } from '../../model.js';

interface CompiledRoute {
  route: RouteDoc;
  method: string;
  segments: { kind: 'literal' | 'param' | 'greedy'; value: string }[];
}

export interface HttpMatch {
  route: RouteDoc;
  pathParameters: Record<string, string>;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export class HttpRouter {
  private readonly routes: CompiledRoute[] = [];
  private readonly fallback: RouteDoc | undefined;

  constructor(routes: RouteDoc[]) {
    for (const route of routes) {
      if (route.routeKey === '$default') {
        this.fallback = route;
        continue;
      }
      const space = route.routeKey.indexOf(' ');
      const path = route.routeKey.slice(space + 1);
      const segments = path
        .split('/')
        .slice(1)
        .filter((s, i, all) => !(s === '' && i === all.length - 1))
        .map((s) => {
          const v = /^\{(.+?)(\+?)\}$/.exec(s);
          return v ? { kind: v[2] ? ('greedy' as const) : ('param' as const), value: v[1]! } : { kind: 'literal' as const, value: s };
        });
      this.routes.push({ route, method: route.routeKey.slice(0, space), segments });
    }
    const rank = { literal: 0, param: 1, greedy: 2 } as const;
    this.routes.sort((a, b) => {
      for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
        const x = a.segments[i];
        const y = b.segments[i];
        if (!x || !y) return x ? -1 : 1;
        const d = rank[x.kind] - rank[y.kind];
        if (d !== 0) return d;
      }
      return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
    });
  }

  match(method: string, rawPath: string): HttpMatch | undefined {
    const parts = rawPath.split('/').slice(1).filter((s, i, all) => !(s === '' && i === all.length - 1));
    for (const r of this.routes) {
      if (r.method !== method && r.method !== 'ANY') continue;
      const params = matchSegments(r.segments, parts);
      if (params) return { route: r.route, pathParameters: params };
    }
    return this.fallback ? { route: this.fallback, pathParameters: {} } : undefined;
  }
}

function matchSegments(segments: CompiledRoute['segments'], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[s.value] = parts.slice(i).map(decode).join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined) return undefined;
    if (s.kind === 'literal' && p !== s.value) return undefined;
    if (s.kind === 'param') params[s.value] = decode(p);
  }
  return segments.length === parts.length ? params : undefined;
}
