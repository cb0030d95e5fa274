// Summarises a V8 .cpuprofile (e.g. the one `STRATUS_CPU_PROFILE=DIR stratus start` writes, or
// `npx tsx bench/invoke.ts --profile DIR`): self time by area of the code and the top functions,
// so "where does the server's time go" can be answered without opening DevTools.
//
//   npx tsx bench/lib/cpuprofile-summary.ts FILE.cpuprofile [--top 30] [--callers NAME]
//
// --callers NAME also splits the self time of functions named NAME (e.g. postMessage, stat) by
// their callers' chains (3 frames up), to tell which code path pays for a native call.
//
// Areas are path prefixes (first match wins); everything else is grouped by its package or file.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function isProfile(v: unknown): v is Profile {
  return typeof v === 'object' && v !== null && 'nodes' in v && Array.isArray(v.nodes) && 'samples' in v && Array.isArray(v.samples) && 'timeDeltas' in v && Array.isArray(v.timeDeltas);
}

/** Ordered: the first pattern a frame's URL contains names its area. */
const AREAS: [string, string][] = [
  ['/nodes/gateway/auth', 'stratus: SigV4 auth'],
  ['/nodes/gateway/protocols/sigv4', 'stratus: SigV4 auth'],
  ['/nodes/gateway/protocols', 'stratus: AWS protocol (de)serialisation'],
  ['/nodes/gateway/lambda', 'stratus: Lambda API'],
  ['/nodes/gateway/sqs', 'stratus: SQS backend'],
  ['/nodes/gateway', 'stratus: gateway (HTTP, actions)'],
  ['/nodes/scheduler', 'stratus: scheduler'],
  ['/worker-pool/', 'stratus: worker pool (host side)'],
  ['/nodes/cluster', 'stratus: cluster client'],
  ['/nodes/storage', 'stratus: storage / Raft'],
  ['/storage/raft', 'stratus: Raft'],
  ['/storage/', 'stratus: storage engine'],
  ['/nodes/telemetry', 'stratus: telemetry'],
  ['/nodes/', 'stratus: other'],
  ['/node_modules/piscina/', 'piscina'],
  ['/node_modules/@grpc/', 'grpc-js'],
  ['/node_modules/@opentelemetry/', 'opentelemetry'],
  ['/node_modules/@nxtedition/rocksdb', 'rocksdb binding'],
  ['/node_modules/tsx/', 'tsx'],
  ['node:internal/http', 'node: http'],
  ['node:_http', 'node: http'],
  ['node:internal/streams', 'node: streams'],
  ['node:net', 'node: net'],
  ['node:internal/worker', 'node: worker threads / MessagePort'],
  ['node:internal/crypto', 'node: crypto'],
  ['node:internal/fs', 'node: fs'],
  ['node:', 'node: other'],
];

function area(url: string, fn: string): string {
  if (url === '') {
    // V8's pseudo-frames: (garbage collector), (program), (idle), (root), and natives without a URL.
    return fn.startsWith('(') ? fn : '(native / builtins)';
  }
  for (const [pattern, name] of AREAS) if (url.includes(pattern)) return name;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return m?.[1] ?? url.replace(/^file:\/\//, '');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, callers: { type: 'string' } } });
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: npx tsx bench/lib/cpuprofile-summary.ts FILE.cpuprofile [--top 30]\n');
  process.exit(2);
}
const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
if (!isProfile(raw)) throw new Error(`${file}: not a V8 CPU profile`);
const profile = raw;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const frameName = (n: ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'}${url ? ` ${url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|nodes|worker-pool|storage)\//, '$1/')}:${lineNumber + 1}` : ''}`;
};
const selfUs = new Map<number, number>();
// timeDeltas[i] is the time before sample i; attribute it to sample i's node (what V8's own views do).
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const busyUs = totalUs - idleUs;

const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const { functionName, url } = n.callFrame;
  if (functionName === '(idle)') continue;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const key = frameName(n);
  fns.set(key, (fns.get(key) ?? 0) + us);
}

const pct = (us: number): string => `${((us / busyUs) * 100).toFixed(1)}%`;
const ms = (us: number): string => `${(us / 1000).toFixed(0)} ms`;
const top = Number(values.top);
const lines = [
  `${file}: ${ms(profile.endTime - profile.startTime)} wall, ${ms(busyUs)} busy (${((busyUs / Math.max(1, totalUs)) * 100).toFixed(0)}% of the samples' time), ${profile.samples.length} samples`,
  '',
  'self time by area (% of busy):',
  ...[...areas].sort((a, b) => b[1] - a[1]).map(([a, us]) => `  ${pct(us).padStart(6)}  ${ms(us).padStart(9)}  ${a}`),
  '',
  `top ${top} functions by self time:`,
  ...[...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([f, us]) => `  ${pct(us).padStart(6)}  ${f}`),
];
if (values.callers !== undefined) {
  const chains = new Map<string, number>();
  let sum = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName !== values.callers) continue;
    const up: string[] = [];
    for (let p = parentOf.get(id); p !== undefined && up.length < 3; p = parentOf.get(p)) {
      const pn = byId.get(p);
      if (pn) up.push(frameName(pn));
    }
    const k = up.join(' ← ');
    chains.set(k, (chains.get(k) ?? 0) + us);
    sum += us;
  }
  lines.push('', `${values.callers}: ${pct(sum)} of busy, by callers:`, ...[...chains].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `  ${pct(us).padStart(6)}  ← ${k}`));
}
process.stdout.write(`${lines.join('\n')}\n`);
