// Reading deployment packages: sizes before anything is unpacked (Lambda's unzipped limit), and
// extraction that refuses entries escaping the target directory and archives that inflate past
// the limit whatever their headers claim.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipSummary {
  files: number;
  /** Sum of the entries' declared uncompressed sizes. */
  unzippedBytes: number;
}

function checkName(name: string): string {
  const clean = normalize(name);
  if (isAbsolute(name) || clean.startsWith('..') || clean.split(sep).includes('..') || name.includes('\0')) throw new ZipError(`zip entry ${JSON.stringify(name)} escapes the package directory`);
  return clean;
}

export function inspectZip(bytes: Uint8Array): ZipSummary {
  let files = 0;
  let unzippedBytes = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.endsWith('/')) files++;
        unzippedBytes += f.originalSize;
        return false;
      },
    });
  } catch (err) {
    throw new ZipError(`not a readable zip archive (${err instanceof Error ? err.message : String(err)})`);
  }
  if (files === 0 && bytes.length > 0 && unzippedBytes === 0) {
    // fflate accepts an archive without entries; so does Lambda, but not bytes that are no zip at all.
    if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) throw new ZipError('not a zip archive');
  }
  return { files, unzippedBytes };
}

export function extractZip(bytes: Uint8Array, dir: string, o: { maxUnzippedBytes: number }): number {
  const declared = inspectZip(bytes).unzippedBytes;
  if (declared > o.maxUnzippedBytes) throw new ZipError(`unzipped size ${declared} exceeds ${o.maxUnzippedBytes} bytes`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new ZipError(`not a readable zip archive (${err instanceof Error ? err.message : String(err)})`);
  }
  let total = 0;
  for (const data of Object.values(entries)) total += data.length;
  // Headers can lie; the inflated bytes cannot.
  if (total > o.maxUnzippedBytes) throw new ZipError(`unzipped size ${total} exceeds ${o.maxUnzippedBytes} bytes`);
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(entries)) {
    const rel = checkName(name);
    const path = join(dir, rel);
    if (name.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data, { mode: 0o644 });
  }
  return total;
}
