// Which resource and method of a REST API deployment a request is for. At each path segment a
// literal child beats the `{param}` child, which beats a greedy `{proxy+}` (which takes the rest
// of the path); a resource without the request's method falls back to its ANY method.
import { type MethodDoc, type ResourceDoc, type RestApiSnapshot } from '../../model.js';

interface Node {
  resource: ResourceDoc;
  literals: Map<string, Node>;
  param?: { name: string; node: Node };
  greedy?: { name: string; node: Node };
}

export interface RestMatch {
  resource: ResourceDoc;
  method: MethodDoc;
  pathParameters: Record<string, string>;
}

export class RestRouter {
  private readonly root: Node | undefined;

  constructor(snapshot: RestApiSnapshot) {
    const nodes = new Map<string, Node>();
    for (const r of Object.values(snapshot.resources)) nodes.set(r.id, { resource: r, literals: new Map() });
    let root: Node | undefined;
    for (const n of nodes.values()) {
      const parent = n.resource.parentId === undefined ? undefined : nodes.get(n.resource.parentId);
      if (!parent) {
        if (n.resource.path === '/') root = n;
        continue;
      }
      const part = n.resource.pathPart ?? '';
      const variable = /^\{(.+?)(\+?)\}$/.exec(part);
      if (!variable) parent.literals.set(part, n);
      else if (variable[2]) parent.greedy = { name: variable[1]!, node: n };
      else parent.param = { name: variable[1]!, node: n };
    }
    this.root = root;
  }

  /** `path` is percent-decoded per segment by the caller's split; undefined when nothing matches. */
  match(method: string, path: string): RestMatch | undefined {
    if (!this.root) return undefined;
    const segments = path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
    const params: Record<string, string> = {};
    const found = this.walk(this.root, segments, 0, params);
    if (!found) return undefined;
    const m = found.resource.resourceMethods[method] ?? found.resource.resourceMethods.ANY;
    return m ? { resource: found.resource, method: m, pathParameters: params } : undefined;
  }

  private walk(node: Node, segments: string[], i: number, params: Record<string, string>): Node | undefined {
    if (i === segments.length) return node;
    const seg = segments[i]!;
    const literal = node.literals.get(seg) ?? node.literals.get(decode(seg));
    if (literal) {
      const hit = this.walk(literal, segments, i + 1, params);
      if (hit) return hit;
    }
    if (node.param) {
      const hit = this.walk(node.param.node, segments, i + 1, params);
      if (hit) {
        params[node.param.name] = decode(seg);
        return hit;
      }
    }
    if (node.greedy) {
      params[node.greedy.name] = segments.slice(i).map(decode).join('/');
      return node.greedy.node;
    }
    return undefined;
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
