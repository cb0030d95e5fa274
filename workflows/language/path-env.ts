// What a JSONPath-mode path can read besides the state's data: the context object (`$$`) and the
// workflow variables (`$name`). Kept apart from payload.ts so intrinsics and Choice rules can
// resolve paths without importing the template code that imports them.
import { type Json } from './json.js';
import { type JsonPathAst, parseJsonPath, resolveDefinite, evaluateSegments } from './jsonpath.js';

export interface PathEnv {
  context: Json;
  variables: Record<string, Json>;
  /** Uniform in [0, 1): unseeded MathRandom and UUID draw from it, so replays can pin it. */
  random: () => number;
}

export type PathLookup = { found: true; value: Json; source: Json } | { found: false; message: string; source: Json };

/** The document a path starts from. */
function rootOf(ast: JsonPathAst, input: Json, env: PathEnv): { node: Json | undefined; label: string } {
  switch (ast.root.kind) {
    case 'input':
      return { node: input, label: '$' };
    case 'context':
      return { node: env.context, label: '$$' };
    case 'variable':
      return {
        node: Object.hasOwn(env.variables, ast.root.name) ? env.variables[ast.root.name] : undefined,
        label: `$${ast.root.name}`,
      };
  }
}

/**
 * Reads a path: a definite path gives its one value or says where it stopped; an indefinite one
 * always succeeds with the (possibly empty) array of matches.
 */
export function readPath(path: string | JsonPathAst, input: Json, env: PathEnv): PathLookup {
  const ast = typeof path === 'string' ? parseJsonPath(path) : path;
  const { node, label } = rootOf(ast, input, env);
  if (node === undefined) {
    return { found: false, message: `No results for path: ${label}`, source: null };
  }
  if (!ast.definite) return { found: true, value: evaluateSegments(ast.segments, node, node), source: node };
  const r = resolveDefinite(ast.segments, node);
  if (r.found) return { found: true, value: r.value, source: node };
  return { found: false, message: r.message.replace('$', () => label), source: node };
}
