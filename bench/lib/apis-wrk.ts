// Runs wrk against one URL and reads its summary: requests/s and the latency percentiles of
// `--latency` (wrk prints them as e.g. `50%  412.00us`, `99%    3.10ms`).
import { run } from './proc.js';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers and socket errors: a measurement with any is reported, not hidden. */
  errors: number;
  requests: number;
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  switch (unit) {
    case 'us':
      return v / 1000;
    case 'ms':
      return v;
    case 's':
      return v * 1000;
    case 'm':
      return v * 60_000;
    default:
      throw new Error(`wrk: unknown latency unit "${unit}"`);
  }
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const requests = /(\d+) requests in/.exec(out);
  if (!rps || !p50 || !p99 || !requests) throw new Error(`wrk: could not read its output:\n${out.slice(-2000)}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps: Number(rps[1]), p50Ms: toMs(p50[1]!, p50[2]!), p99Ms: toMs(p99[1]!, p99[2]!), errors: Number(non2xx?.[1] ?? 0) + sockErrors, requests: Number(requests[1]) };
}

/** `wrk -t T -c C -d Ds --latency URL` (threads: at most 2, never more than connections). */
export async function runWrk(wrk: string, url: string, connections: number, seconds: number): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const r = await run(wrk, ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '--latency', url], process.env, (seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`wrk exited ${r.code}:\n${(r.stdout + r.stderr).slice(-2000)}`);
  return parseWrk(r.stdout);
}
