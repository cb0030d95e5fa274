// The behaviour every Engine must have; engine.test.ts runs it for each implementation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Engine, EngineFormatError } from '../../storage/engine/engine.js';
import { FORMAT_KEY } from '../../storage/engine/keys.js';

const b = (...bytes: number[]): Uint8Array => Uint8Array.of(...bytes);
const s = (text: string): Uint8Array => new TextEncoder().encode(text);
const str = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : new TextDecoder().decode(v));
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

export async function collect(it: AsyncIterable<[Uint8Array, Uint8Array]>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of it) out.push([hex(k), str(v)!]);
  return out;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-engine-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `reopen` opens the engine again on the same directory after close(); given for persistent
 * engines, it enables the durability and format-version cases.
 */
export function engineSuite(
  name: string,
  makeEngine: (dir: string) => Promise<Engine>,
  reopen?: (dir: string) => Promise<Engine>,
): void {
  const withEngine = (fn: (e: Engine, dir: string) => Promise<void>) => () =>
    withTempDir(async (dir) => {
      const e = await makeEngine(dir);
      try {
        await fn(e, dir);
      } finally {
        await e.close();
      }
    });

  describe(`engine: ${name}`, () => {
    it(
      'put, get, del',
      withEngine(async (e) => {
        expect(await e.get(s('a'))).toBeUndefined();
        await e.write([{ type: 'put', key: s('a'), value: s('1') }], { sync: true });
        expect(str(await e.get(s('a')))).toBe('1');
        await e.write([{ type: 'put', key: s('a'), value: s('2') }], { sync: false });
        expect(str(await e.get(s('a')))).toBe('2');
        await e.write([{ type: 'del', key: s('a') }], { sync: true });
        expect(await e.get(s('a'))).toBeUndefined();
        await e.write([{ type: 'del', key: s('never') }], { sync: true });
        await e.write([], { sync: true });
      }),
    );

    it(
      'copies written buffers: later mutation by the caller has no effect',
      withEngine(async (e) => {
        const key = s('k');
        const value = s('v');
        await e.write([{ type: 'put', key, value }], { sync: false });
        key[0] = 0x7a;
        value[0] = 0x77;
        expect(str(await e.get(s('k')))).toBe('v');
      }),
    );

    it(
      'applies a batch in order: put then del of one key leaves it deleted, del then put leaves it',
      withEngine(async (e) => {
        await e.write(
          [
            { type: 'put', key: s('x'), value: s('1') },
            { type: 'del', key: s('x') },
            { type: 'del', key: s('y') },
            { type: 'put', key: s('y'), value: s('2') },
            { type: 'put', key: s('z'), value: s('3') },
            { type: 'put', key: s('z'), value: s('4') },
          ],
          { sync: true },
        );
        expect(await e.get(s('x'))).toBeUndefined();
        expect(str(await e.get(s('y')))).toBe('2');
        expect(str(await e.get(s('z')))).toBe('4');
      }),
    );

    it(
      'delRange deletes [start, end) atomically with the batch, including keys put earlier in it',
      withEngine(async (e) => {
        const keys = [b(1), b(1, 0), b(1, 0xff), b(2), b(2, 0), b(3)];
        await e.write(keys.map((key) => ({ type: 'put' as const, key, value: s('old') })), { sync: true });
        await e.write(
          [
            { type: 'put', key: b(1, 5), value: s('in-batch') },
            { type: 'delRange', start: b(1, 0), end: b(2, 0) },
            { type: 'put', key: b(1, 7), value: s('after') },
            { type: 'delRange', start: b(9), end: b(8) }, // empty range: no-op
          ],
          { sync: true },
        );
        const all = await collect(e.scan({ gte: b(1), lt: b(0xff) }));
        expect(all).toEqual([
          ['01', 'old'],
          ['0107', 'after'],
          ['0200', 'old'],
          ['03', 'old'],
        ]);
      }),
    );

    it(
      'scans in binary key order with bounds, limit and reverse',
      withEngine(async (e) => {
        // Under a prefix of their own: a persistent engine keeps node-wide keys under 0x00.
        const p = (...rest: number[]): Uint8Array => b(0x42, ...rest);
        const keys = [p(0xff), p(0), p(0xff, 0xff), p(0x7f), p(0x80), p(0, 0), p(0xfe, 0xff), p(0x10), p()];
        await e.write(keys.map((key, i) => ({ type: 'put' as const, key, value: s(`v${i}`) })), { sync: false });
        const all = await collect(e.scan({ gte: p(), lt: b(0x43) }));
        expect(all.map(([k]) => k)).toEqual(['42', '4200', '420000', '4210', '427f', '4280', '42feff', '42ff', '42ffff']);
        const mid = await collect(e.scan({ gte: p(0x10), lt: p(0xff) }));
        expect(mid.map(([k]) => k)).toEqual(['4210', '427f', '4280', '42feff']);
        const limited = await collect(e.scan({ gte: p(0), lt: p(0xff, 0xff, 0xff), limit: 3 }));
        expect(limited.map(([k]) => k)).toEqual(['4200', '420000', '4210']);
        const rev = await collect(e.scan({ gte: p(0x10), lt: p(0xff, 0xff), reverse: true, limit: 3 }));
        expect(rev.map(([k]) => k)).toEqual(['42ff', '42feff', '4280']);
        const revAll = await collect(e.scan({ gte: p(), lt: b(0x43), reverse: true }));
        expect(revAll.map(([k]) => k)).toEqual(all.map(([k]) => k).reverse());
        expect(await collect(e.scan({ gte: p(0x80), lt: p(0x80) }))).toEqual([]);
        expect(await collect(e.scan({ gte: p(0x90), lt: p(0x80) }))).toEqual([]);
        expect(await collect(e.scan({ gte: p(0), lt: p(0xff), limit: 0 }))).toEqual([]);
        expect(all.find(([k]) => k === '42feff')?.[1]).toBe('v6');
      }),
    );

    it(
      'scan reads the view as of the scan() call',
      withEngine(async (e) => {
        const n = 1000; // more than one native fetch
        const ops = [];
        for (let i = 0; i < n; i++) ops.push({ type: 'put' as const, key: b(5, i >> 8, i & 0xff), value: s('before') });
        await e.write(ops, { sync: false });
        const it = e.scan({ gte: b(5), lt: b(6) });
        await e.write([{ type: 'put', key: b(5, 0, 1, 0), value: s('new') }], { sync: false });
        let seen = 0;
        for await (const [k, v] of it) {
          if (seen === 10) {
            await e.write(
              [
                { type: 'delRange', start: b(5), end: b(6) },
                { type: 'put', key: b(5, 3, 0), value: s('during') },
              ],
              { sync: false },
            );
          }
          expect(str(v)).toBe('before');
          expect(k.byteLength).toBe(3);
          seen++;
        }
        expect(seen).toBe(n);
        expect(await collect(e.scan({ gte: b(5), lt: b(6) }))).toEqual([['050300', 'during']]);
      }),
    );

    it(
      'stops early when the consumer breaks out of a scan',
      withEngine(async (e) => {
        await e.write([b(1), b(2), b(3)].map((key) => ({ type: 'put' as const, key, value: s('v') })), { sync: false });
        let n = 0;
        for await (const _ of e.scan({ gte: b(1), lt: b(9) })) if (++n === 2) break;
        expect(n).toBe(2);
        expect((await collect(e.scan({ gte: b(1), lt: b(9) }))).length).toBe(3);
      }),
    );

    if (!reopen) return;

    it('keeps synced writes across close and reopen', () =>
      withTempDir(async (dir) => {
        const e = await makeEngine(dir);
        await e.write([{ type: 'put', key: s('durable'), value: s('yes') }], { sync: true });
        await e.write(
          [
            { type: 'put', key: b(1, 1), value: s('a') },
            { type: 'put', key: b(1, 2), value: s('b') },
            { type: 'delRange', start: b(1, 2), end: b(1, 3) },
          ],
          { sync: true },
        );
        await e.close();
        const again = await reopen(dir);
        try {
          expect(str(await again.get(s('durable')))).toBe('yes');
          expect(await collect(again.scan({ gte: b(1), lt: b(2) }))).toEqual([['0101', 'a']]);
        } finally {
          await again.close();
        }
      }));

    it('refuses a directory of another format version, naming dir and versions', () =>
      withTempDir(async (dir) => {
        const e = await makeEngine(dir);
        await e.write([{ type: 'put', key: FORMAT_KEY, value: b(0, 0, 0, 7) }], { sync: true });
        await e.close();
        const err = await reopen(dir).then(
          async (x) => {
            await x.close();
            return undefined;
          },
          (caught: unknown) => caught,
        );
        expect(err).toBeInstanceOf(EngineFormatError);
        const msg = (err as Error).message;
        expect(msg).toContain(dir);
        expect(msg).toContain('7');
        expect(msg).toContain('1');
      }));
  });
}
