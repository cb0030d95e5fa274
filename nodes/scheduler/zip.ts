// Reading deployment packages. The central directory is parsed here rather than by fflate
// because extraction depends on what fflate does not expose (external attributes: symlinks and
// executable bits) and because the declared sizes must be known before anything is inflated.
// fflate only inflates, entry by entry and in small steps, so that an entry producing more than
// its header declares (a zip bomb) is stopped as soon as it overruns, not after.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import * as zlib from 'node:zlib';
import { Inflate } from 'fflate';

export type ZipErrorReason = 'corrupt' | 'too-large' | 'unsafe' | 'unsupported';

/** A package that cannot be used; `reason` tells which rule it broke. */
export class ZipError extends Error {
  constructor(
    readonly reason: ZipErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipSummary {
  /** Entries that are files (directories not counted). */
  files: number;
  /** inspectZip: the sum of the declared uncompressed sizes; extractZip: the bytes written. */
  unzippedBytes: number;
}

export interface ZipEntry {
  /** Relative path with '/' separators, checked not to escape (no '..', not absolute). */
  path: string;
  isDirectory: boolean;
  executable: boolean;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** Hosts whose external attributes carry a Unix mode in their upper 16 bits: Unix, macOS. */
const UNIX_HOSTS = new Set([3, 19]);
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Input fed to the inflater per step; deflate expands at most ~1032×, so ≤ ~4 MiB out. */
const INFLATE_STEP = 4096;

const corrupt = (msg: string): ZipError => new ZipError('corrupt', `corrupt zip archive: ${msg}`);

class Bytes {
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(off: number, n: number, what: string): void {
    if (off < 0 || off + n > this.buf.length) throw corrupt(`${what} at byte ${off} runs past the end of the archive`);
  }
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  u64(off: number, what: string): number {
    const v = this.view.getBigUint64(off, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} is out of range`);
    return Number(v);
  }
}

/** Where the central directory is and how many entries it has (zip64 aware). */
function findDirectory(b: Bytes): { count: number; offset: number; size: number } {
  const len = b.buf.length;
  // The end record is 22 bytes plus a comment of up to 65,535: search backwards for it.
  let at = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (b.u32(i) === EOCD_SIG && i + 22 + b.u16(i + 20) <= len) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipError('corrupt', 'not a zip archive (no end of central directory record)');
  if (b.u16(at + 4) !== 0 || b.u16(at + 6) !== 0) throw new ZipError('unsupported', 'multi-volume zip archives are not supported');
  let count = b.u16(at + 10);
  let size = b.u32(at + 12);
  let offset = b.u32(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = at - 20;
    if (loc >= 0 && b.u32(loc) === ZIP64_LOCATOR_SIG) {
      const rec = b.u64(loc + 8, 'zip64 end record offset');
      b.need(rec, 56, 'zip64 end of central directory');
      if (b.u32(rec) !== ZIP64_EOCD_SIG) throw corrupt('zip64 end of central directory record not found');
      count = b.u64(rec + 32, 'entry count');
      size = b.u64(rec + 40, 'central directory size');
      offset = b.u64(rec + 48, 'central directory offset');
    }
  }
  b.need(offset, size, 'central directory');
  return { count, offset, size };
}

/** A safe relative path for an entry name, or '' for the root itself ("./"). */
function safePath(name: string): string {
  if (name.includes('\0')) throw new ZipError('unsafe', `zip entry ${JSON.stringify(name)} has a NUL in its name`);
  // Some Windows tools write '\' separators; treated as '/' so that '..\x' cannot slip through.
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) throw new ZipError('unsafe', `zip entry ${JSON.stringify(name)} is an absolute path`);
  const parts = slashed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ZipError('unsafe', `zip entry ${JSON.stringify(name)} escapes the package directory`);
  return parts.join('/');
}

function decodeName(raw: Uint8Array, utf8Flag: boolean): string {
  try {
    return new TextDecoder('utf-8', { fatal: utf8Flag }).decode(raw);
  } catch {
    throw corrupt('an entry name flagged UTF-8 is not valid UTF-8');
  }
}

/**
 * The archive's entries from its central directory, checked for everything that can be checked
 * without inflating: structure, names, symlinks, encryption, compression methods.
 */
export function listZip(bytes: Uint8Array): ZipEntry[] {
  if (bytes.length < 22) throw new ZipError('corrupt', 'not a zip archive (too short)');
  const b = new Bytes(bytes);
  const dir = findDirectory(b);
  const out: ZipEntry[] = [];
  let p = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    b.need(p, 46, 'central directory entry');
    if (b.u32(p) !== CENTRAL_SIG) throw corrupt(`central directory entry ${i} has a bad signature`);
    const host = b.u16(p + 4) >> 8;
    const flags = b.u16(p + 8);
    const method = b.u16(p + 10);
    const crc32 = b.u32(p + 16);
    let compressedSize = b.u32(p + 20);
    let size = b.u32(p + 24);
    const nameLen = b.u16(p + 28);
    const extraLen = b.u16(p + 30);
    const commentLen = b.u16(p + 32);
    const external = b.u32(p + 38);
    let localHeaderOffset = b.u32(p + 42);
    b.need(p + 46, nameLen + extraLen + commentLen, 'central directory entry');
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    // Zip64: the extra field holds, in this order, whichever values overflowed 32 bits.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      let e = p + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = b.u16(e);
        const n = b.u16(e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          const take = (what: string): number => {
            if (f + 8 > e + 4 + n) throw corrupt(`zip64 field ${what} missing for ${JSON.stringify(name)}`);
            const v = b.u64(f, what);
            f += 8;
            return v;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('local header offset');
          break;
        }
        e += 4 + n;
      }
    }
    p += 46 + nameLen + extraLen + commentLen;

    const mode = UNIX_HOSTS.has(host) ? external >>> 16 : 0;
    if ((mode & S_IFMT) === S_IFLNK) throw new ZipError('unsafe', `zip entry ${JSON.stringify(name)} is a symbolic link; symlinks are not supported`);
    if ((flags & 0x1) !== 0) throw new ZipError('unsupported', `zip entry ${JSON.stringify(name)} is encrypted`);
    const isDirectory = name.endsWith('/') || name.endsWith('\\') || (mode & S_IFMT) === S_IFDIR;
    if (!isDirectory && method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw new ZipError('unsupported', `zip entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflate are supported`);
    }
    const path = safePath(name);
    if (path === '' && !isDirectory) throw new ZipError('unsafe', `zip entry ${JSON.stringify(name)} has no file name`);
    out.push({ path, isDirectory, executable: (mode & 0o111) !== 0, method, crc32, compressedSize, size, localHeaderOffset });
  }
  return out;
}

/** Entry count and declared unzipped size, after the checks of listZip; nothing is inflated. */
export function inspectZip(bytes: Uint8Array): ZipSummary {
  let files = 0;
  let unzippedBytes = 0;
  for (const e of listZip(bytes)) {
    if (e.isDirectory) continue;
    files++;
    unzippedBytes += e.size;
  }
  return { files, unzippedBytes };
}

const crcTable = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** zlib.crc32 arrived in Node 20.15; the table version covers earlier 20.x releases. */
function crc32(data: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data) >>> 0;
  let c = 0xffffffff;
  for (const byte of data) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

class Overrun extends Error {}

/** An entry's bytes, never more than its declared size, checked against its CRC. */
export function readEntry(bytes: Uint8Array, e: ZipEntry): Uint8Array {
  const b = new Bytes(bytes);
  b.need(e.localHeaderOffset, 30, `local header of ${JSON.stringify(e.path)}`);
  if (b.u32(e.localHeaderOffset) !== LOCAL_SIG) throw corrupt(`local header of ${JSON.stringify(e.path)} has a bad signature`);
  const start = e.localHeaderOffset + 30 + b.u16(e.localHeaderOffset + 26) + b.u16(e.localHeaderOffset + 28);
  b.need(start, e.compressedSize, `data of ${JSON.stringify(e.path)}`);
  const raw = bytes.subarray(start, start + e.compressedSize);
  let data: Uint8Array;
  if (e.method === METHOD_STORED) {
    if (e.compressedSize !== e.size) throw corrupt(`stored entry ${JSON.stringify(e.path)} declares ${e.size} bytes but holds ${e.compressedSize}`);
    data = raw;
  } else if (raw.length === 0 && e.size === 0) {
    data = raw; // some writers store an empty file as deflate with no data at all
  } else {
    data = new Uint8Array(e.size);
    let got = 0;
    const inflater = new Inflate((chunk) => {
      if (got + chunk.length > e.size) throw new Overrun();
      data.set(chunk, got);
      got += chunk.length;
    });
    try {
      if (raw.length === 0) inflater.push(raw, true); // fails: an empty stream for a non-empty file
      for (let off = 0; off < raw.length; off += INFLATE_STEP) inflater.push(raw.subarray(off, off + INFLATE_STEP), off + INFLATE_STEP >= raw.length);
    } catch (err) {
      if (err instanceof Overrun) throw new ZipError('too-large', `zip entry ${JSON.stringify(e.path)} inflates past its declared ${e.size} bytes`);
      throw corrupt(`entry ${JSON.stringify(e.path)} does not inflate (${err instanceof Error ? err.message : String(err)})`);
    }
    if (got !== e.size) throw corrupt(`entry ${JSON.stringify(e.path)} inflates to ${got} bytes, ${e.size} declared`);
  }
  if (crc32(data) !== e.crc32) throw corrupt(`entry ${JSON.stringify(e.path)} fails its CRC check`);
  return data;
}

function fsError(err: unknown, path: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  // A file and a directory of the same name, within one archive or between layers.
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') return new ZipError('corrupt', `zip entry ${JSON.stringify(path)} conflicts with another entry (${code})`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Extracts into `dir` (created if needed; existing files of the same names are overwritten, as
 * later Lambda layers overwrite earlier ones). Files are 0644, or 0755 when the archive marks
 * them executable; directories 0755. Refuses, before writing anything, archives whose declared
 * size exceeds maxUnzippedBytes; refuses, while inflating, entries larger than declared.
 */
export async function extractZip(bytes: Uint8Array, dir: string, opts: { maxUnzippedBytes: number }): Promise<ZipSummary> {
  const entries = listZip(bytes);
  let declared = 0;
  for (const e of entries) if (!e.isDirectory) declared += e.size;
  if (declared > opts.maxUnzippedBytes) {
    throw new ZipError('too-large', `unzipped size ${declared} bytes exceeds the limit of ${opts.maxUnzippedBytes} bytes`);
  }
  const root = resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o755 });
  let files = 0;
  let written = 0;
  for (const e of entries) {
    const target = join(root, e.path);
    // listZip already refused '..' and absolute names; this guards the join itself.
    if (target !== root && !target.startsWith(root + sep)) throw new ZipError('unsafe', `zip entry ${JSON.stringify(e.path)} escapes the package directory`);
    try {
      if (e.isDirectory) {
        await mkdir(target, { recursive: true, mode: 0o755 });
        continue;
      }
      const data = readEntry(bytes, e);
      written += data.length;
      // Redundant with the per-entry bound unless sizes overflow; kept as the rule stated plainly.
      if (written > opts.maxUnzippedBytes) throw new ZipError('too-large', `unzipped size exceeds the limit of ${opts.maxUnzippedBytes} bytes`);
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
      const mode = e.executable ? 0o755 : 0o644;
      await writeFile(target, data, { mode });
      await chmod(target, mode); // writeFile's mode is filtered by the umask
      files++;
    } catch (err) {
      if (err instanceof ZipError) throw err;
      throw fsError(err, e.path);
    }
  }
  return { files, unzippedBytes: written };
}
