// The machine's fsync floor: how long fdatasync takes on the data directory's filesystem when
// appending a small record at a growing offset (what a WAL append + sync costs at best). Commit
// latency of a durable replicated log cannot go below this (and usually pays it at least twice:
// leader and a follower, in parallel, plus a network round trip).
//
//   npx tsx bench/lib/fsync-floor.ts [--dir /tmp] [--iterations 2000] [--sizes 4096,100]
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './load.js';

export interface FsyncFloorOptions {
  /** Directory whose filesystem is measured (a temp subdirectory is created and removed). */
  dir?: string;
  /** fdatasync calls per size (default 2000). */
  iterations?: number;
  /** Bytes written before each fdatasync (default [4096, 100]). */
  sizes?: number[];
}

export interface FsyncFloor {
  dir: string;
  bytes: number;
  iterations: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
}

export function measureFsyncFloor(options: FsyncFloorOptions = {}): FsyncFloor[] {
  const dir = resolve(options.dir ?? tmpdir());
  const iterations = options.iterations ?? 2000;
  const sizes = options.sizes ?? [4096, 100];
  const work = mkdtempSync(join(dir, 'fsync-floor-'));
  const results: FsyncFloor[] = [];
  try {
    for (const bytes of sizes) {
      const path = join(work, `wal-${bytes}`);
      const fd = openSync(path, 'w');
      const buf = Buffer.alloc(bytes, 0x5a);
      const samples = new Float64Array(iterations);
      try {
        // A few unmeasured syncs so file creation does not count.
        let offset = 0;
        for (let i = 0; i < 10; i++) {
          writeSync(fd, buf, 0, bytes, offset);
          offset += bytes;
          fdatasyncSync(fd);
        }
        for (let i = 0; i < iterations; i++) {
          writeSync(fd, buf, 0, bytes, offset);
          offset += bytes;
          const t0 = process.hrtime.bigint();
          fdatasyncSync(fd);
          samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
        }
      } finally {
        closeSync(fd);
        rmSync(path, { force: true });
      }
      const sum = samples.reduce((a, b) => a + b, 0);
      samples.sort();
      results.push({ dir, bytes, iterations, p50Us: percentile(samples, 0.5), p99Us: percentile(samples, 0.99), meanUs: sum / iterations });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}

export function describeFsyncFloor(floors: readonly FsyncFloor[]): string {
  const parts = floors.map((f) => `${f.bytes} B: p50 ${Math.round(f.p50Us)} µs, p99 ${Math.round(f.p99Us)} µs`);
  const first = floors[0];
  const where = first ? ` on ${first.dir}, N=${first.iterations} each` : '';
  return `fsync floor (write at growing offset + fdatasync${where}): ${parts.join('; ')}`;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: tmpdir() },
      iterations: { type: 'string', default: '2000' },
      sizes: { type: 'string', default: '4096,100' },
    },
  });
  const iterations = Number(values.iterations);
  const sizes = values.sizes.split(',').map(Number);
  if (!Number.isInteger(iterations) || iterations < 1 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    process.stderr.write('fsync-floor: --iterations must be a positive integer and --sizes positive integers\n');
    process.exit(2);
  }
  process.stdout.write(`${describeFsyncFloor(measureFsyncFloor({ dir: values.dir, iterations, sizes }))}\n`);
}
