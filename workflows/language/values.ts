// Small value helpers shared by JSONPath filters, intrinsics, Choice rules and JSONata functions.
import { type Json, isJsonObject } from './json.js';

/** Structural equality of JSON values (object key order does not matter). */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as Json));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k] as Json, b[k] as Json));
  }
  return false;
}

/**
 * A number in [0, 1) fixed by the seed: the same seed always gives the same value, as AWS
 * promises for seeded MathRandom and $random. (mulberry32 over the seed's 32 bits, with the
 * high half of a float seed folded in so 1.5 and 1 differ.)
 */
export function seededRandom(seed: number): number {
  const hi = Math.floor(seed / 2 ** 32) | 0;
  let t = ((seed | 0) ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  if (!Number.isInteger(seed)) t = (t ^ Math.imul(Math.round((seed % 1) * 2 ** 30), 0x85ebca6b)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  let r = Math.imul(t ^ (t >>> 15), t | 1);
  r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
  return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
}

/** A version-4 UUID whose 122 random bits come from `random` (so executions can be replayed). */
export function uuidV4(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256) & 0xff);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
