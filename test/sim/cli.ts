// npm run sim -- --seed-start S --runs N [--nodes 3|5] [--verbose]
// Runs seeds S..S+N-1; prints failing seeds and, last, "N passed, M failed". Exits 1 on failure.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runSeed } from './simulation.js';

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function intArg(name: string, raw: string | undefined, dflt: number, min: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) fail(`--${name} must be a non-negative integer, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min) fail(`--${name} must be at least ${min}, got ${raw}`);
  return v;
}

/** Runs the simulator command line; returns the process exit code. */
export function simMain(args: string[]): number {
  try {
    return run(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sim: ${err.message}\nusage: npm run sim -- --seed-start S --runs N [--nodes 3|5] [--verbose]\n`);
    return 2;
  }
}

function run(args: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'seed-start': { type: 'string' },
        runs: { type: 'string' },
        nodes: { type: 'string' },
        verbose: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  const seedStart = intArg('seed-start', values['seed-start'], 1, 0);
  const runs = intArg('runs', values.runs, 100, 1);
  const nodesArg = values.nodes;
  const nodeCounts: Array<3 | 5> = nodesArg === undefined ? [3, 5] : nodesArg === '3' ? [3] : nodesArg === '5' ? [5] : fail(`--nodes must be 3 or 5, got '${nodesArg}'`);

  const started = process.hrtime.bigint();
  let passed = 0;
  const failed: number[] = [];
  for (let seed = seedStart; seed < seedStart + runs; seed++) {
    // Without --nodes, seeds alternate between 3- and 5-node clusters.
    const nodes = nodeCounts.length === 1 ? nodeCounts[0]! : seed % 2 === 0 ? 5 : 3;
    const r = runSeed({ seed, nodes, verbose: values.verbose });
    if (values.verbose) {
      for (const line of r.trace) process.stdout.write(`${line}\n`);
      process.stdout.write(`seed ${seed} (${nodes} nodes): ${JSON.stringify(r.stats)}\n`);
    }
    if (r.ok) passed++;
    else {
      failed.push(seed);
      process.stdout.write(`seed ${seed} (${nodes} nodes) FAILED:\n  ${r.failures.join('\n  ')}\n`);
      process.stdout.write(`  replay: npm run sim -- --seed-start ${seed} --runs 1 --nodes ${nodes} --verbose\n`);
    }
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`ran ${runs} seeds in ${secs.toFixed(1)} s (${(runs / secs).toFixed(1)} seeds/s)\n`);
  if (failed.length > 0) process.stdout.write(`failing seeds: ${failed.join(' ')}\n`);
  process.stdout.write(`${passed} passed, ${failed.length} failed\n`);
  return failed.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  process.exitCode = simMain(process.argv.slice(2));
}
