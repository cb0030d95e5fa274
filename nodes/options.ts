// Every option of `stratus start` and `stratus node`, in one table: flag, environment variable,
// default, check. The same table documents them (`stratus help`) and validates them with a
// message that names the option and the bad value.

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

export type Role = 'storage' | 'scheduler' | 'gateway' | 'all';

export interface NodeOptions {
  role: Role;
  id: number;
  data: string;
  host: string;
  grpcPort: number;
  /** HTTP port: AWS APIs and operations endpoints (gateway/all default 4566; storage/scheduler serve it only when given). */
  httpPort: number | undefined;
  /** Initial storage members, id → host:port; this node's own entry is where it listens. */
  peers: Map<number, string>;
  /** The address other nodes use for this node (defaults to host:grpcPort). */
  advertise: string;
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  proposalTimeoutMs: number;
  snapshotEntries: number;
  quiesce: boolean;
  /** SigV4 authentication at the AWS front (off: any request is accepted, for local development). */
  auth: boolean;
  /** The region in ARNs and the region requests are signed for. */
  region: string;
  /** The account id in queue URLs and ARNs. */
  accountId: string;
  /** Whether this process runs the functions tier (scheduler, worker pool) and serves the Lambda API. */
  scheduler: boolean;
  /** Concurrent function executions the account may run (AWS default 1,000). */
  lambdaConcurrency: number;
  /** Seconds before an async invocation's first retry after a function error (AWS: 60; the second waits twice as long). */
  lambdaRetryDelay: number;
  /** Seconds a warm execution environment is kept without work. */
  lambdaIdle: number;
  /** Seconds an async event is hidden from other schedulers while one runs it (more if the function's timeout needs it). */
  lambdaLease: number;
  /** The cluster's scheduler processes (host:port of their gRPC); a gateway given them runs no function itself. */
  schedulers: string[];
  /** X-Ray's sampling rule: traces started each second before `traceRate` applies. */
  traceReservoir: number;
  /** X-Ray's sampling rule: the fraction of further requests traced. */
  traceRate: number;
  /** OTLP/HTTP collector to export spans to (besides the built-in store). */
  otlpEndpoint: string;
  /** The URL handlers get as AWS_ENDPOINT_URL; '' = this node's own HTTP front (a scheduler has none). */
  endpointUrl: string;
  /** Seconds a stopping node waits for in-flight invocations and hands over leadership. */
  drainTimeout: number;
  /** Open Kinesis shards the account may have (AWS: 500). */
  kinesisShardLimit: number;
  /** Whether Kinesis's per-shard read and write limits apply (off: for benchmarks). */
  kinesisLimits: boolean;
}

interface Spec {
  key: keyof NodeOptions;
  flag: string;
  env: string;
  doc: string;
  default: string | undefined;
  parse: (v: string, flag: string) => unknown;
}

function int(min: number, max: number) {
  return (v: string, flag: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) throw new OptionError(`${flag}: expected an integer from ${min} to ${max}, got '${v}'`);
    return n;
  };
}

function bool(v: string, flag: string): boolean {
  if (v === 'true' || v === 'on') return true;
  if (v === 'false' || v === 'off') return false;
  throw new OptionError(`${flag}: expected on or off, got '${v}'`);
}

function role(v: string, flag: string): Role {
  if (v === 'storage' || v === 'scheduler' || v === 'gateway' || v === 'all') return v;
  throw new OptionError(`${flag}: expected storage, scheduler, gateway or all, got '${v}'`);
}

function fraction(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new OptionError(`${flag}: expected a number from 0 to 1, got '${v}'`);
  return n;
}

function url(v: string, flag: string): string {
  if (v === '') return v;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new OptionError(`${flag}: expected an http(s) URL like http://collector:4318, got '${v}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OptionError(`${flag}: expected an http(s) URL like http://collector:4318, got '${v}'`);
  return v;
}

/** "host:port,host:port" → addresses. */
function addresses(v: string, flag: string): string[] {
  const out: string[] = [];
  for (const part of v.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const a = hostPort(part, flag);
    if (out.includes(a)) throw new OptionError(`${flag}: ${a} is listed twice`);
    out.push(a);
  }
  return out;
}

function hostPort(v: string, flag: string): string {
  const m = /^([A-Za-z0-9.\-_]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new OptionError(`${flag}: expected host:port, got '${v}'`);
  return v;
}

function region(v: string, flag: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v)) throw new OptionError(`${flag}: expected a region name like us-east-1, got '${v}'`);
  return v;
}

function accountId(v: string, flag: string): string {
  if (!/^\d{12}$/.test(v)) throw new OptionError(`${flag}: expected 12 digits, got '${v}'`);
  return v;
}

/** "1=127.0.0.1:7001,2=127.0.0.1:7002" → id → address. */
function peers(v: string, flag: string): Map<number, string> {
  const out = new Map<number, string>();
  if (v.trim() === '') return out;
  for (const part of v.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OptionError(`${flag}: expected id=host:port[,id=host:port...], got '${part}'`);
    const id = int(1, 0xffff)(part.slice(0, eq), `${flag} (node id)`);
    if (out.has(id)) throw new OptionError(`${flag}: node id ${id} is listed twice`);
    out.set(id, hostPort(part.slice(eq + 1), flag));
  }
  return out;
}

const SPECS: Spec[] = [
  { key: 'role', flag: '--role', env: 'STRATUS_ROLE', default: 'all', doc: 'storage, scheduler, gateway or all', parse: role },
  { key: 'id', flag: '--id', env: 'STRATUS_NODE_ID', default: '1', doc: 'this node id (1-65535), unique in the cluster', parse: int(1, 0xffff) },
  { key: 'data', flag: '--data', env: 'STRATUS_DATA', default: './.stratus', doc: 'data directory', parse: (v) => v },
  { key: 'host', flag: '--host', env: 'STRATUS_HOST', default: '127.0.0.1', doc: 'address to listen on', parse: (v) => v },
  { key: 'grpcPort', flag: '--grpc-port', env: 'STRATUS_GRPC_PORT', default: '50051', doc: 'gRPC port (native API; storage traffic for storage nodes)', parse: int(1, 65535) },
  { key: 'httpPort', flag: '--http-port', env: 'STRATUS_HTTP_PORT', default: undefined, doc: 'HTTP port: AWS APIs (gateway, all; default 4566) and /health, /ready, /metrics, /_stratus/* (every role; storage and scheduler only when given)', parse: int(0, 65535) },
  { key: 'peers', flag: '--peers', env: 'STRATUS_PEERS', default: '', doc: 'initial storage members: id=host:port,... (gateway: the storage nodes to reach)', parse: peers },
  { key: 'advertise', flag: '--advertise', env: 'STRATUS_ADVERTISE', default: undefined, doc: 'host:port other nodes reach this one at (default host:grpc-port)', parse: hostPort },
  { key: 'tickMs', flag: '--tick-ms', env: 'STRATUS_TICK_MS', default: '100', doc: 'Raft tick in ms (elections after election-ticks..2×election-ticks)', parse: int(5, 10_000) },
  { key: 'electionTicks', flag: '--election-ticks', env: 'STRATUS_ELECTION_TICKS', default: '10', doc: 'ticks without a leader before an election', parse: int(2, 1000) },
  { key: 'heartbeatTicks', flag: '--heartbeat-ticks', env: 'STRATUS_HEARTBEAT_TICKS', default: '1', doc: 'ticks between leader heartbeats (less than election ticks)', parse: int(1, 999) },
  { key: 'proposalTimeoutMs', flag: '--proposal-timeout-ms', env: 'STRATUS_PROPOSAL_TIMEOUT_MS', default: '5000', doc: 'how long a leader waits for a write to commit', parse: int(100, 600_000) },
  { key: 'snapshotEntries', flag: '--snapshot-entries', env: 'STRATUS_SNAPSHOT_ENTRIES', default: '10000', doc: 'applied entries between state-machine snapshots (then the log is truncated)', parse: int(10, 10_000_000) },
  { key: 'auth', flag: '--auth', env: 'STRATUS_AUTH', default: 'on', doc: 'SigV4 authentication of AWS requests (on|off; off is for local development only)', parse: bool },
  { key: 'region', flag: '--region', env: 'STRATUS_REGION', default: 'us-east-1', doc: 'the AWS region this cluster presents', parse: region },
  { key: 'accountId', flag: '--account-id', env: 'STRATUS_ACCOUNT_ID', default: '000000000000', doc: 'the 12-digit account id in queue URLs and ARNs', parse: accountId },
  { key: 'scheduler', flag: '--scheduler', env: 'STRATUS_SCHEDULER', default: 'on', doc: 'run functions here: the scheduler, its worker pool and the Lambda API (on|off; gateway and all roles)', parse: bool },
  { key: 'lambdaConcurrency', flag: '--lambda-concurrency', env: 'STRATUS_LAMBDA_CONCURRENCY', default: '1000', doc: 'account concurrency limit of functions (100 of it, or all below 100, stay unreserved)', parse: int(1, 1_000_000) },
  { key: 'lambdaRetryDelay', flag: '--lambda-retry-delay', env: 'STRATUS_LAMBDA_RETRY_DELAY', default: '60', doc: 'seconds before retrying a failed async invocation (doubles for the next)', parse: int(1, 900) },
  { key: 'lambdaIdle', flag: '--lambda-idle', env: 'STRATUS_LAMBDA_IDLE', default: '300', doc: 'seconds a warm execution environment is kept without work', parse: int(1, 86_400) },
  { key: 'lambdaLease', flag: '--lambda-lease', env: 'STRATUS_LAMBDA_LEASE', default: '30', doc: 'seconds an async event stays with the scheduler running it before another may retry it', parse: int(2, 43_200) },
  { key: 'endpointUrl', flag: '--endpoint-url', env: 'STRATUS_ENDPOINT_URL', default: '', doc: "the AWS endpoint functions' SDK clients get (AWS_ENDPOINT_URL); default this node's own HTTP front; scheduler role: set it to a gateway's URL", parse: url },
  { key: 'schedulers', flag: '--schedulers', env: 'STRATUS_SCHEDULERS', default: '', doc: 'scheduler processes host:port,... (gateway: send invocations there, run none here; scheduler: the full list, itself included)', parse: addresses },
  { key: 'traceReservoir', flag: '--trace-reservoir', env: 'STRATUS_TRACE_RESERVOIR', default: '1', doc: 'traces started each second before --trace-rate applies (X-Ray: 1)', parse: int(0, 1_000_000) },
  { key: 'traceRate', flag: '--trace-rate', env: 'STRATUS_TRACE_RATE', default: '0.05', doc: 'fraction of further requests traced (X-Ray: 0.05)', parse: fraction },
  { key: 'otlpEndpoint', flag: '--otlp-endpoint', env: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: '', doc: 'also export spans by OTLP/HTTP to this collector (posts to <url>/v1/traces)', parse: url },
  { key: 'drainTimeout', flag: '--drain-timeout', env: 'STRATUS_DRAIN_TIMEOUT', default: '20', doc: 'seconds a stopping node waits for running invocations and leadership hand-over', parse: int(0, 3600) },
  { key: 'kinesisShardLimit', flag: '--kinesis-shard-limit', env: 'STRATUS_KINESIS_SHARD_LIMIT', default: '500', doc: 'open Kinesis shards the account may have (AWS: 500)', parse: int(1, 100_000) },
  { key: 'kinesisLimits', flag: '--kinesis-limits', env: 'STRATUS_KINESIS_LIMITS', default: 'on', doc: "Kinesis per-shard throughput limits: 1 MiB/s and 1,000 records/s in, 5 reads/s and 2 MiB/s out (on|off)", parse: bool },
  { key: 'quiesce', flag: '--quiesce', env: 'STRATUS_QUIESCE', default: 'on', doc: 'idle groups stop ticking and heartbeating (on|off)', parse: bool },
];

export function optionsHelp(): string {
  return SPECS.map((s) => `  ${(s.flag + ' ').padEnd(24)}${s.doc} [${s.env}${s.default !== undefined && s.default !== '' ? `, default ${s.default}` : ''}]`).join('\n');
}

/**
 * Flags win over environment variables, which win over defaults. `allowed` restricts the flags a
 * command takes (start takes no --role/--id/--peers).
 */
export function parseNodeOptions(argv: string[], env: NodeJS.ProcessEnv, allowed?: Set<keyof NodeOptions>): NodeOptions {
  const raw = new Map<keyof NodeOptions, { value: string; source: string }>();
  for (const s of SPECS) {
    const e = env[s.env];
    if (e !== undefined && e !== '' && (!allowed || allowed.has(s.key))) raw.set(s.key, { value: e, source: s.env });
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = SPECS.find((s) => s.flag === flag);
    if (!spec || (allowed && !allowed.has(spec.key))) throw new OptionError(`unknown option '${flag}'`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new OptionError(`${flag} needs a value`);
    raw.set(spec.key, { value, source: flag });
  }
  const out: Record<string, unknown> = {};
  for (const s of SPECS) {
    const r = raw.get(s.key);
    const v = r?.value ?? s.default;
    if (v !== undefined) out[s.key] = s.parse(v, r?.source ?? s.flag);
  }
  const o = out as unknown as NodeOptions;
  if (o.heartbeatTicks >= o.electionTicks) {
    throw new OptionError(`--heartbeat-ticks (${o.heartbeatTicks}) must be less than --election-ticks (${o.electionTicks})`);
  }
  o.advertise ??= `${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${o.grpcPort}`;
  // A storage node alone is a one-member cluster; one missing from a non-empty --peers joins the
  // cluster those peers form (it registers with their meta group and receives replicas).
  if (o.httpPort === undefined && (o.role === 'gateway' || o.role === 'all')) o.httpPort = 4566;
  const stores = o.role === 'storage' || o.role === 'all';
  if (stores && o.peers.size === 0) o.peers.set(o.id, o.advertise);
  if (!stores && o.peers.size === 0) throw new OptionError(`--peers: a ${o.role} node needs the storage nodes to reach (id=host:port,...)`);
  if (o.role === 'scheduler' && o.schedulers.length > 0 && !o.schedulers.includes(o.advertise)) {
    throw new OptionError(`--schedulers: a scheduler must find itself in the list (its --advertise is ${o.advertise}), got '${o.schedulers.join(',')}'`);
  }
  if (o.role === 'storage' && o.schedulers.length > 0) throw new OptionError('--schedulers: storage nodes run no functions; give the list to gateways and schedulers');
  return o;
}
