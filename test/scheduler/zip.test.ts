import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Zippable, strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { ZipError, extractZip, inspectZip } from '../../nodes/scheduler/zip.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'stratus-zip-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const BIG = { maxUnzippedBytes: 262_144_000 };

/** Offset of the central directory entry `index` (0-based) of an archive without comment. */
function centralEntry(zip: Uint8Array, index: number): number {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let p = v.getUint32(zip.length - 22 + 16, true);
  for (let i = 0; i < index; i++) p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  return p;
}

async function rejection(p: Promise<unknown>): Promise<ZipError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ZipError) return e;
    throw e;
  }
  throw new Error('expected a ZipError');
}

describe('zip', () => {
  it('inspects and extracts files, directories and modes', async () => {
    const zip = zipSync({
      'index.mjs': strToU8('export const x = 1;\n'),
      lib: { 'util.js': strToU8('module.exports = 2;\n'), empty: {} },
      'bin/run': [strToU8('#!/bin/sh\necho hi\n'), { os: 3, attrs: 0o100755 << 16 }],
      'big.txt': new Uint8Array(100_000).fill(65),
    });
    expect(inspectZip(zip)).toEqual({ files: 4, unzippedBytes: 20 + 20 + 18 + 100_000 });
    const dir = tmp();
    expect(await extractZip(zip, dir, BIG)).toEqual({ files: 4, unzippedBytes: 100_058 });
    expect(readFileSync(join(dir, 'lib/util.js'), 'utf8')).toBe('module.exports = 2;\n');
    expect(statSync(join(dir, 'lib/empty')).isDirectory()).toBe(true);
    expect(statSync(join(dir, 'bin/run')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'index.mjs')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, 'big.txt')).length).toBe(100_000);
  });

  it('refuses what is not a zip, or a broken one', async () => {
    expect(() => inspectZip(strToU8('definitely not a zip archive at all'))).toThrow(/not a zip archive/);
    expect(() => inspectZip(new Uint8Array(3))).toThrow(ZipError);
    const zip = zipSync({ 'a.txt': new Uint8Array(5000).fill(1) });
    const truncated = zip.subarray(0, zip.length - 30);
    expect(() => inspectZip(truncated)).toThrow(ZipError);
    // Flipped compressed bytes: the CRC (or the inflater) notices.
    const flipped = zip.slice();
    flipped[40] = (flipped[40] as number) ^ 0xff;
    expect((await rejection(extractZip(flipped, tmp(), BIG))).reason).toBe('corrupt');
  });

  it('refuses entries escaping the directory, absolute names and symlinks', async () => {
    const cases: Zippable[] = [
      { '../evil.js': strToU8('x') },
      { 'a/../../evil.js': strToU8('x') },
      { '/etc/evil': strToU8('x') },
      { 'ok\\..\\..\\evil.js': strToU8('x') },
      { link: [strToU8('/etc/passwd'), { os: 3, attrs: 0o120777 << 16 }] },
    ];
    for (const c of cases) {
      const outer = tmp();
      const dir = join(outer, 'pkg');
      expect(() => inspectZip(zipSync(c))).toThrow(ZipError);
      const err = await rejection(extractZip(zipSync(c), dir, BIG));
      expect(err.reason).toBe('unsafe');
      expect(existsSync(join(outer, 'evil.js'))).toBe(false);
      expect(existsSync(dir)).toBe(false); // refused before anything was written
    }
    // '..' inside a name is fine, and so is './'.
    const dir = tmp();
    await extractZip(zipSync({ 'a..b.js': strToU8('1'), './c.js': strToU8('2') }), dir, BIG);
    expect(readFileSync(join(dir, 'a..b.js'), 'utf8')).toBe('1');
  });

  it('enforces the size limit on declared sizes and on the inflated bytes', async () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(4000), 'b.bin': new Uint8Array(4000) });
    expect((await rejection(extractZip(zip, tmp(), { maxUnzippedBytes: 7999 }))).reason).toBe('too-large');
    await extractZip(zip, tmp(), { maxUnzippedBytes: 8000 });
    // A lying header: 2 MB of zeros declared as 100 bytes.
    const bomb = zipSync({ 'bomb.bin': new Uint8Array(2_000_000) }).slice();
    new DataView(bomb.buffer).setUint32(centralEntry(bomb, 0) + 24, 100, true);
    expect(inspectZip(bomb).unzippedBytes).toBe(100);
    const err = await rejection(extractZip(bomb, tmp(), { maxUnzippedBytes: 1000 }));
    expect(err.reason).toBe('too-large');
    expect(err.message).toMatch(/inflates past its declared 100 bytes/);
  });
});
