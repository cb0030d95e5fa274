// The JSONata functions Step Functions adds to the standard library, and the one it removes
// ($eval: AWS offers $parse instead).
import { createHash } from 'node:crypto';
import type jsonata from 'jsonata';
import type { JsonataBindings } from './jsonata.js';
import { HASH_ALGORITHMS } from './intrinsic-functions.js';
import { seededRandom, uuidV4 } from './values.js';

/** JSONata's own cap on `[a..b]`; $range shares it so one expression cannot exhaust memory. */
export const MAX_RANGE_ITEMS = 10_000_000;

function fail(message: string): Error {
  return new Error(message);
}

/** A result that jsonata treats like its own sequences: [] → nothing, [x] → x. */
function sequence(items: unknown[]): unknown {
  if (items.length === 0) return undefined;
  if (items.length === 1) return items[0];
  return items;
}

function partition(items: unknown[], size: number): unknown[] {
  if (!Number.isInteger(size) || size <= 0) throw fail(`$partition: the chunk size must be a positive integer, received ${size}`);
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function range(start: number, end: number, step: number): unknown {
  // Arguments are truncated to integers; a step that never reaches the end gives nothing.
  const [s, e, st] = [Math.trunc(start), Math.trunc(end), Math.trunc(step)];
  if (st === 0 || (st > 0 && s > e) || (st < 0 && s < e)) return undefined;
  const count = Math.floor((e - s) / st) + 1;
  if (count > MAX_RANGE_ITEMS) throw fail(`$range: the range would have ${count} items, more than the maximum of ${MAX_RANGE_ITEMS}`);
  return sequence(Array.from({ length: count }, (_, i) => s + i * st));
}

function hash(value: unknown, algorithm: string): string {
  const node = HASH_ALGORITHMS[algorithm];
  if (!node) throw fail(`$hash: unsupported algorithm '${algorithm}'; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return createHash(node).update(text, 'utf8').digest('hex');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(`$parse: the argument is not valid JSON: '${text}'`);
  }
}

export function registerStepFunctionsFunctions(expr: jsonata.Expression, b: JsonataBindings): void {
  expr.registerFunction('partition', partition, '<an:a>');
  expr.registerFunction('range', range, '<nnn:a>');
  expr.registerFunction('hash', hash, '<js:s>');
  expr.registerFunction('random', (seed?: number) => (seed === undefined ? b.random() : seededRandom(seed)), '<n?:n>');
  expr.registerFunction('uuid', () => uuidV4(b.random), '<:s>');
  expr.registerFunction('parse', parse, '<s:j>');
  expr.registerFunction('eval', () => {
    throw fail('$eval is not supported in Step Functions; use $parse');
  });
  if (b.now) {
    // One instant per evaluation, as jsonata's own $now/$millis behave.
    const t = b.now();
    expr.registerFunction('millis', () => t, '<:n>');
    expr.registerFunction(
      'now',
      function (this: jsonata.Focus, picture?: string, timezone?: string) {
        const fromMillis = this.environment.lookup('fromMillis') as { implementation: (...a: unknown[]) => unknown };
        return fromMillis.implementation.call(this, t, picture, timezone);
      },
      '<s?s?:s>',
    );
  }
}
