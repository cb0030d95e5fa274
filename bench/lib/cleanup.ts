// Process-exit cleanup for benchmark helpers that start child processes or create temp dirs.
// Registered functions run synchronously (so only sync work: process.kill, fs.rmSync) on normal
// exit, uncaught errors, and SIGINT/SIGTERM/SIGHUP (after which the process exits 128+signo).
// Each helper unregisters its function once it has cleaned up the normal way.

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort: keep cleaning up the rest
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  const signals: [NodeJS.Signals, number][] = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [signal, code] of signals) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}: cleaning up\n`);
      runAll();
      process.exit(code);
    });
  }
}

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function onCleanup(fn: Cleanup): () => void {
  install();
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** SIGKILLs a pid if it is still alive; never throws. */
export function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
