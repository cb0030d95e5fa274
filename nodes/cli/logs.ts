// `stratus logs tail FUNCTION [--endpoint 127.0.0.1:50051] [--since 10m] [--no-follow]`: prints a
// function's invocation logs from `--since` ago, then follows new ones as they are stored,
// through the native LogService (Read to find where to start, server-streaming Tail to follow).
// Each line of an invocation's log is printed as `<ISO time> <request id> <line>`, the time being
// when the record was stored.
import * as grpc from '@grpc/grpc-js';
import { firstOffsetAtOrAfter } from '../gateway/function-log-query.js';
import { CHANNEL_OPTIONS, services } from '../grpc/protos.js';
import { OptionError } from '../options.js';
import { functionLogName } from '../scheduler/function-logs.js';
import { workflowLogName } from '../scheduler/workflows/execution-logs.js';

export interface TailOptions {
  /** host:port of a gateway's gRPC port. */
  endpoint: string;
  functionName: string;
  /** Tail a Step Functions log group's execution logs instead (functionName is then ignored). */
  logGroup?: string;
  /** Records stored at or after this time (ms since the epoch) are printed first. */
  sinceMs: number;
  /** Keep following new records (default true); false: print what is there and return. */
  follow?: boolean;
  /** Receives each output line, without its newline. */
  out: (line: string) => void;
  /** Stops following; the returned promise then resolves. */
  signal?: AbortSignal;
}

interface WireRecord {
  offset: number;
  key: Uint8Array;
  value: Uint8Array;
  timestampMs: number;
}

interface ReadReply {
  records: WireRecord[];
  nextOffset: number;
  firstOffset: number;
  highWatermark: number;
}

type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

/** Formats one record as output lines. */
export function formatRecord(r: { timestampMs: number; key: Uint8Array; value: Uint8Array }): string[] {
  const time = new Date(r.timestampMs).toISOString();
  const requestId = Buffer.from(r.key).toString('utf8');
  const text = Buffer.from(r.value).toString('utf8').replace(/\n$/, '');
  return text.split('\n').map((line) => `${time} ${requestId} ${line}`);
}

/** `10m`, `30s`, `2h`, `1d`, `1w` ago, or an absolute time (ISO 8601 or ms since the epoch). */
export function parseSince(v: string, now = Date.now()): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(v);
  if (m) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(m[1]) * unit;
  }
  if (/^\d{10,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new OptionError(`--since: expected a duration such as 10m, 2h, 1d, or a time, got '${v}'`);
  return t;
}

const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN]);

/** Prints the function's log from `sinceMs`, then (by default) follows it until `signal` aborts. */
export async function tailFunctionLogs(o: TailOptions): Promise<void> {
  const name = o.logGroup !== undefined ? workflowLogName(o.logGroup) : functionLogName(o.functionName);
  const Ctor = services().log;
  const client = new Ctor(o.endpoint, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 });
  const stopped = (): boolean => o.signal?.aborted ?? false;
  const call = <T>(method: string, req: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const f = (client as unknown as Record<string, Unary>)[method]!.bind(client);
      f(req, { deadline: new Date(Date.now() + 20_000) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
    });
  const read = (fromOffset: number, maxRecords: number): Promise<ReadReply> => call<ReadReply>('read', { name, partition: 0, fromOffset, maxRecords });
  try {
    // Where the retained log starts and ends: a read at 0 answers both, unless records below
    // the first retained offset were trimmed (then the error names that offset).
    let head: ReadReply;
    try {
      head = await read(0, 1);
    } catch (err) {
      const first = isStatus(err, grpc.status.OUT_OF_RANGE) ? /first retained offset (\d+)/.exec(err.details) : null;
      if (!first) throw err;
      head = await read(Number(first[1]), 1);
    }
    let from = await firstOffsetAtOrAfter(head.firstOffset, head.highWatermark, o.sinceMs, async (offset) => {
      try {
        return (await read(offset, 1)).records[0]?.timestampMs;
      } catch (err) {
        if (isStatus(err, grpc.status.OUT_OF_RANGE)) return undefined;
        throw err;
      }
    });
    const print = (r: WireRecord): void => {
      from = r.offset + 1;
      for (const line of formatRecord(r)) o.out(line);
    };
    if (o.follow === false) {
      for (;;) {
        if (stopped()) return;
        const r = await read(from, 1000);
        for (const rec of r.records) print(rec);
        if (r.records.length === 0 || r.nextOffset >= r.highWatermark) return;
      }
    }
    let backoff = 100;
    while (!stopped()) {
      try {
        await follow(client, { name, partition: 0, fromOffset: from }, print, o.signal);
        backoff = 100;
      } catch (err) {
        if (stopped()) return;
        if (!(typeof err === 'object' && err !== null && 'code' in err && RETRYABLE.has(err.code as grpc.status))) throw err;
        await new Promise<void>((r) => {
          const t = setTimeout(r, backoff);
          o.signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
        backoff = Math.min(5000, backoff * 2);
      }
    }
  } finally {
    client.close();
  }
}

/** One Tail stream: resolves when it ends or the signal aborts, rejects on a stream error. */
function follow(client: grpc.Client, req: object, onRecord: (r: WireRecord) => void, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = (client as unknown as { tail(req: object): grpc.ClientReadableStream<WireRecord> }).tail(req);
    const abort = (): void => {
      stream.cancel();
      resolve();
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    stream.on('data', (r: WireRecord) => onRecord(r));
    stream.on('error', (err: grpc.ServiceError) => {
      signal?.removeEventListener('abort', abort);
      if (err.code === grpc.status.CANCELLED && signal?.aborted) resolve();
      else reject(err);
    });
    stream.on('end', () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    });
  });
}

function isStatus(err: unknown, code: grpc.status): err is grpc.ServiceError {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code && 'details' in err;
}

export const LOGS_USAGE = 'usage: stratus logs tail (FUNCTION | --log-group NAME) [--endpoint 127.0.0.1:50051] [--since 10m] [--no-follow]';

/** `stratus logs …`; returns the exit code. */
export async function logsMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'tail') throw new OptionError(`logs: expected tail, got '${sub ?? ''}'\n${LOGS_USAGE}`);
  let fn: string | undefined;
  let logGroup: string | undefined;
  let endpoint = '127.0.0.1:50051';
  let since = '10m';
  let followOn = true;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--no-follow') followOn = false;
    else if (a === '--follow') followOn = true;
    else if (a === '--endpoint' || a === '--since' || a === '--log-group') {
      const v = rest[++i];
      if (v === undefined) throw new OptionError(`${a} needs a value`);
      if (a === '--endpoint') endpoint = v;
      else if (a === '--log-group') logGroup = v;
      else since = v;
    } else if (a.startsWith('--')) throw new OptionError(`unknown option '${a}'\n${LOGS_USAGE}`);
    else if (fn === undefined) fn = a;
    else throw new OptionError(`logs tail: one function name expected, got '${fn}' and '${a}'`);
  }
  if (fn === undefined && logGroup === undefined) throw new OptionError(`logs tail: the function name is missing\n${LOGS_USAGE}`);
  if (fn !== undefined && logGroup !== undefined) throw new OptionError(`logs tail: give a function name or --log-group, not both`);
  if (!/^[^:\s]+:\d{1,5}$/.test(endpoint)) throw new OptionError(`--endpoint: expected host:port, got '${endpoint}'`);
  const sinceMs = parseSince(since);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await tailFunctionLogs({ endpoint, functionName: fn ?? '', ...(logGroup !== undefined ? { logGroup } : {}), sinceMs, follow: followOn, out: (line) => process.stdout.write(line + '\n'), signal: abort.signal });
    return 0;
  } catch (err) {
    if (isStatus(err, grpc.status.NOT_FOUND)) {
      process.stderr.write(logGroup !== undefined ? `stratus: log group ${logGroup} has no logs at ${endpoint} (nothing logged to it yet?)\n` : `stratus: function ${fn ?? ''} has no logs at ${endpoint} (no such function?)\n`);
      return 1;
    }
    if (typeof err === 'object' && err !== null && 'code' in err && 'details' in err) {
      process.stderr.write(`stratus: logs tail: ${String(err.details)}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
