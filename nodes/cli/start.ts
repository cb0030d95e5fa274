// `stratus start` (the embedded default: every role in one process, one replica per group) and
// `stratus node` (one process of a multi-node deployment).
import { type NodeOptions, OptionError, parseNodeOptions } from '../options.js';
import { runNode } from '../run-node.js';

const START_FLAGS = new Set<keyof NodeOptions>(['data', 'host', 'grpcPort', 'httpPort', 'tickMs', 'electionTicks', 'heartbeatTicks', 'proposalTimeoutMs', 'snapshotEntries', 'quiesce']);

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/**
 * STRATUS_CPU_PROFILE=DIR writes a V8 CPU profile of the process to DIR when it stops (a
 * diagnostic for benchmarks: node's own --cpu-prof is not allowed in NODE_OPTIONS).
 */
async function startProfiler(): Promise<(() => Promise<void>) | undefined> {
  const dir = process.env.STRATUS_CPU_PROFILE;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${dir}/stratus-${process.pid}.cpuprofile`, JSON.stringify(profile));
  };
}

async function serve(o: NodeOptions, banner: (grpc: string, http: string | undefined) => string): Promise<number> {
  const stopProfiler = await startProfiler();
  const node = await runNode(o, log);
  process.stdout.write(banner(node.grpcAddress, node.httpAddress));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(`stratus: ${signal}: stopping\n`);
  await node.stop();
  await stopProfiler?.();
  process.stdout.write('stratus: stopped\n');
  return 0;
}

export async function startMain(argv: string[]): Promise<number> {
  const o = parseNodeOptions(argv, process.env, START_FLAGS);
  return serve({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, (grpc, http) =>
    [
      `stratus: embedded server (every role, one replica per group), data in ${o.data}`,
      `  gRPC  ${grpc}   native API: stratus.v1.LogService (proto/stratus/v1/log.proto)`,
      `  HTTP  http://${http ?? '-'}   health: /health`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
}

export async function nodeMain(argv: string[]): Promise<number> {
  const o = parseNodeOptions(argv, process.env);
  return serve(o, (grpc, http) =>
    `stratus: node ${o.id} (${o.role}) listening on ${grpc}${http ? `, http://${http}` : ''}; peers ${[...o.peers].map(([id, a]) => `${id}=${a}`).join(',')}\n`,
  );
}

export { OptionError };
