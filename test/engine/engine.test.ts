import { describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../storage/engine/memory-engine.js';
import { RocksEngine } from '../../storage/engine/rocks-engine.js';
import { engineSuite, withTempDir } from './engine-suite.js';
import { EngineFormatError } from '../../storage/engine/engine.js';

engineSuite('rocksdb', (dir) => RocksEngine.open(dir), (dir) => RocksEngine.open(dir));
engineSuite('memory', async () => new MemoryEngine());

const s = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('RocksEngine', () => {
  it('refuses a directory with data but no format version', () =>
    withTempDir(async (dir) => {
      const e = await RocksEngine.open(dir);
      await e.write([{ type: 'put', key: s('x'), value: s('y') }, { type: 'del', key: Uint8Array.of(0, ...s('format')) }], {
        sync: true,
      });
      await e.close();
      await expect(RocksEngine.open(dir)).rejects.toThrow(EngineFormatError);
    }));

  it('creates missing parent directories', () =>
    withTempDir(async (dir) => {
      const e = await RocksEngine.open(`${dir}/a/b/engine`);
      expect(e.kind).toBe('rocksdb');
      await e.close();
    }));
});

describe('MemoryEngine.crash', () => {
  it('drops writes not followed by a synced write', async () => {
    const e = new MemoryEngine();
    await e.write([{ type: 'put', key: s('a'), value: s('1') }], { sync: true });
    await e.write([{ type: 'put', key: s('a'), value: s('2') }, { type: 'put', key: s('b'), value: s('1') }], { sync: false });
    await e.write([{ type: 'put', key: s('c'), value: s('1') }], { sync: true });
    await e.write(
      [
        { type: 'del', key: s('a') },
        { type: 'delRange', start: s('b'), end: s('d') },
        { type: 'put', key: s('e'), value: s('1') },
      ],
      { sync: false },
    );
    e.crash();
    const dec = (v: Uint8Array | undefined) => (v ? new TextDecoder().decode(v) : undefined);
    expect(dec(await e.get(s('a')))).toBe('2');
    expect(dec(await e.get(s('b')))).toBe('1');
    expect(dec(await e.get(s('c')))).toBe('1');
    expect(await e.get(s('e'))).toBeUndefined();
    expect(e.size()).toBe(3);
  });
});
