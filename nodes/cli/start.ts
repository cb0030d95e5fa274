// `stratus start` (the embedded default: every role in one process, one replica per group) and
// `stratus node` (one process of a multi-node deployment).
import { type NodeOptions, OptionError, parseNodeOptions } from '../options.js';
import { type RootKey } from '../gateway/auth.js';
import { runNode } from '../run-node.js';

const START_FLAGS = new Set<keyof NodeOptions>([
  'data',
  'host',
  'grpcPort',
  'httpPort',
  'tickMs',
  'electionTicks',
  'heartbeatTicks',
  'proposalTimeoutMs',
  'snapshotEntries',
  'quiesce',
  'auth',
  'region',
  'accountId',
  'scheduler',
  'lambdaConcurrency',
  'lambdaRetryDelay',
  'lambdaIdle',
  'lambdaLease',
  'traceReservoir',
  'traceRate',
  'otlpEndpoint',
  'drainTimeout',
]);

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

/** What a user needs to reach the AWS front: the auth mode and, once, a generated secret. */
function authLines(o: NodeOptions, k: RootKey | undefined): string[] {
  if (o.role === 'storage') return [];
  if (!o.auth) {
    return [
      '',
      '  !! AUTHENTICATION IS OFF (--auth off): any request is accepted, signed or not.',
      '  !! Use this for local development only; never expose this port.',
      '',
    ];
  }
  if (!k) return [];
  if (k.generatedSecret !== undefined) {
    return [
      `  Root credentials (shown once; also written to ${k.credentialsFile ?? '?'}, mode 0600):`,
      `    aws_access_key_id     = ${k.accessKeyId}`,
      `    aws_secret_access_key = ${k.generatedSecret}`,
    ];
  }
  const lines = [`  Root access key ${k.accessKeyId} (SigV4; the secret is in ${o.data}/credentials or was given at first start)`];
  if (k.envIgnored) lines.push('  note: STRATUS_ROOT_ACCESS_KEY_ID is ignored: the cluster\'s root key was set at its first start');
  return lines;
}

async function serve(o: NodeOptions, banner: (grpc: string, http: string | undefined) => string): Promise<number> {
  const stopProfiler = await startProfiler();
  const node = await runNode(o, log);
  process.stdout.write(banner(node.grpcAddress, node.httpAddress));
  let key: RootKey | undefined;
  try {
    key = await node.rootKey;
  } catch (err) {
    await node.stop();
    throw err;
  }
  const extra = authLines(o, key);
  if (extra.length > 0) process.stdout.write(`${extra.join('\n')}\n`);
  if (o.role === 'all' && o.peers.size === 1) process.stdout.write('Ctrl-C stops it.\n');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stdout.write(`stratus: ${signal}: stopping\n`);
  // A stop that cannot finish (a peer that vanished mid-call) must not outlive the grace period
  // a container runtime gives: after the drain bound and 10 s more, the process goes anyway.
  const watchdog = setTimeout(() => {
    process.stderr.write('stratus: the graceful stop did not finish in time; exiting\n');
    process.exit(1);
  }, (o.drainTimeout + 10) * 1000);
  watchdog.unref();
  await node.stop();
  await stopProfiler?.();
  clearTimeout(watchdog);
  process.stdout.write('stratus: stopped\n');
  // Everything this process owns is closed; a gRPC channel still reconnecting to a peer that
  // vanished (in a container network a connect to it hangs) must not keep the process alive.
  process.exit(0);
}

export async function startMain(argv: string[]): Promise<number> {
  const o = parseNodeOptions(argv, process.env, START_FLAGS);
  return serve({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, (grpc, http) =>
    [
      `stratus: embedded server (every role, one replica per group), data in ${o.data}`,
      `  gRPC  ${grpc}   native API: stratus.v1.LogService, QueueService, FunctionService, StreamService, TopicService, WorkflowService, TraceService (proto/stratus/v1/)`,
      `  HTTP  http://${http ?? '-'}   AWS APIs: SQS, SNS, Lambda, Kinesis, Step Functions, API Gateway; your APIs at http://{api-id}.execute-api.localhost:PORT/{stage}/ or /_api/{api-id}/{stage}/; /health, /ready, /metrics, /_stratus/traces`,
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
