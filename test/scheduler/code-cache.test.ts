import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Zippable, strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeCache } from '../../nodes/scheduler/code-cache.js';
import { type CodeRef, CodeStore } from '../../nodes/scheduler/code-store.js';
import { ZipError } from '../../nodes/scheduler/zip.js';
import { FakeBlobCluster } from './fake-blob-io.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A cache root below a package.json saying "type": "module", as when the data directory lies
 * inside a checkout of Stratus: CJS handlers must stay CJS all the same.
 */
function root(): string {
  const d = mkdtempSync(join(tmpdir(), 'stratus-cache-'));
  dirs.push(d);
  writeFileSync(join(d, 'package.json'), '{"type":"module"}\n');
  return join(d, 'cache');
}

const js = (s: string): Uint8Array => strToU8(s);
const pkg = (name: string, main: string, body: string, extra: Record<string, unknown> = {}): Zippable => ({
  'package.json': js(JSON.stringify({ name, main, ...extra })),
  [main]: js(body),
});

// Layer A: a CJS package, a package with a dependency of its own (a sibling in the same layer),
// an ESM-only package, a scoped package, and one that layer B replaces.
const layerA = zipSync({
  nodejs: {
    node_modules: {
      layerpkg: pkg('layerpkg', 'index.js', "exports.value = 'layer-a';\n"),
      withdep: pkg('withdep', 'index.js', "module.exports = require('innerdep').name + '+withdep';\n"),
      innerdep: pkg('innerdep', 'index.js', "exports.name = 'innerdep';\n"),
      esmonly: pkg('esmonly', 'main.js', "export const esm = 'esm-ok';\n", { type: 'module', exports: './main.js' }),
      '@scope': { scoped: pkg('@scope/scoped', 'index.js', "exports.s = 'scoped';\n") },
      shared: pkg('shared', 'index.js', "exports.who = 'a';\n"),
    },
  },
});
const layerB = zipSync({ nodejs: { node_modules: { shared: pkg('shared', 'index.js', "exports.who = 'b';\n") } } });

const esmFunction = zipSync({
  'index.mjs': js(
    [
      "import { value } from 'layerpkg';",
      "import withdep from 'withdep';",
      "import { esm } from 'esmonly';",
      "import { s } from '@scope/scoped';",
      "import shared from 'shared';",
      'export const handler = async () => ({ value, withdep, esm, s, shared: shared.who });',
    ].join('\n'),
  ),
});
const cjsFunction = zipSync({
  'index.js': js("const { value } = require('layerpkg');\nexports.handler = async () => ({ value, withdep: require('withdep'), shared: require('shared').who });\n"),
  node_modules: { shared: pkg('shared', 'index.js', "exports.who = 'own';\n") },
});

async function importHandler(file: string): Promise<unknown> {
  const script = `import(${JSON.stringify(pathToFileURL(file).href)}).then(async (m) => console.log(JSON.stringify(await m.handler())))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: tmpdir() });
  return JSON.parse(stdout);
}

async function requireHandler(file: string): Promise<unknown> {
  const script = `require(${JSON.stringify(file)}).handler().then((v) => console.log(JSON.stringify(v)))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: tmpdir() });
  return JSON.parse(stdout);
}

class CountingStore extends CodeStore {
  gets = 0;
  override get(ref: CodeRef): Promise<Uint8Array> {
    this.gets++;
    return super.get(ref);
  }
}

function setup(): { store: CountingStore } {
  const cluster = new FakeBlobCluster([1, 2]);
  return { store: new CountingStore(cluster, async () => [1, 2]) };
}

describe('CodeCache', () => {
  it('lays out a function with layers so that import and require find layer packages', async () => {
    const { store } = setup();
    const cache = new CodeCache(root(), store);
    const [a, b, esm, cjs] = await Promise.all([store.put(layerA), store.put(layerB), store.put(esmFunction), store.put(cjsFunction)]);

    const dir = await cache.functionDir(esm, [a, b]);
    expect(await importHandler(join(dir, 'task', 'index.mjs'))).toEqual({
      value: 'layer-a',
      withdep: 'innerdep+withdep',
      esm: 'esm-ok',
      s: 'scoped',
      shared: 'b', // the later layer wins
    });
    // Layers are also whole under opt/, merged in order.
    expect(readFileSync(join(dir, 'opt', 'nodejs', 'node_modules', 'shared', 'index.js'), 'utf8')).toContain("'b'");
    expect(existsSync(join(dir, 'opt', 'nodejs', 'node_modules', 'layerpkg', 'index.js'))).toBe(true);

    // Reversed layer order: layer A's version of the shared package wins.
    const rev = await cache.functionDir(esm, [b, a]);
    expect(rev).not.toBe(dir);
    expect(await importHandler(join(rev, 'task', 'index.mjs'))).toMatchObject({ shared: 'a' });

    // CommonJS, below a "type": "module" package.json; the function's own node_modules wins.
    const cdir = await cache.functionDir(cjs, [a, b]);
    expect(await requireHandler(join(cdir, 'task', 'index.js'))).toEqual({ value: 'layer-a', withdep: 'innerdep+withdep', shared: 'own' });
    expect(await importHandler(join(cdir, 'task', 'index.js'))).toEqual({ value: 'layer-a', withdep: 'innerdep+withdep', shared: 'own' });
  });

  it('unpacks once for concurrent callers, and reuses the directory after a restart', async () => {
    const { store } = setup();
    const r = root();
    const cache = new CodeCache(r, store);
    const [a, b, esm] = await Promise.all([store.put(layerA), store.put(layerB), store.put(esmFunction)]);
    store.gets = 0;
    const got = await Promise.all(Array.from({ length: 8 }, () => cache.functionDir(esm, [a, b])));
    expect(new Set(got).size).toBe(1);
    expect(store.gets).toBe(3);
    expect(await cache.functionDir(esm, [a, b])).toBe(got[0]);
    expect(store.gets).toBe(3);
    // A new process on the same directory: nothing fetched, no temp directories left over.
    const again = new CodeCache(r, store);
    expect(await again.functionDir(esm, [a, b])).toBe(got[0]);
    expect(store.gets).toBe(3);
    expect(readdirSync(r).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses a package with an escaping entry and leaves nothing behind', async () => {
    const { store } = setup();
    const r = root();
    const cache = new CodeCache(r, store);
    const evil = await store.put(zipSync({ 'index.mjs': js('export const handler = 1;'), '../../evil.mjs': js('boom') }));
    const err = await cache.functionDir(evil, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
    expect((err as ZipError).reason).toBe('unsafe');
    expect(readdirSync(r)).toEqual([]);
    expect(existsSync(join(r, '..', 'evil.mjs'))).toBe(false);
  });

  it('caps the function and its layers together', async () => {
    const { store } = setup();
    const cache = new CodeCache(root(), store, { maxUnzippedBytes: 15_000 });
    const fn = await store.put(zipSync({ 'index.mjs': new Uint8Array(8000).fill(32) }));
    const layer = await store.put(zipSync({ nodejs: { 'data.bin': new Uint8Array(8000) } }));
    expect(await cache.functionDir(fn, [])).toBeTypeOf('string');
    const err = await cache.functionDir(fn, [layer]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
    expect((err as ZipError).message).toMatch(/code and layers unzip to more than 15000 bytes/);
  });

  it('evicts every directory not kept', async () => {
    const { store } = setup();
    const cache = new CodeCache(root(), store);
    const [a, esm, cjs] = await Promise.all([store.put(layerA), store.put(esmFunction), store.put(cjsFunction)]);
    const d1 = await cache.functionDir(esm, [a]);
    const d2 = await cache.functionDir(cjs, [a]);
    expect(await cache.evict([d2])).toEqual([d1]);
    expect(existsSync(d1)).toBe(false);
    expect(existsSync(d2)).toBe(true);
    store.gets = 0;
    expect(await cache.functionDir(esm, [a])).toBe(d1);
    expect(store.gets).toBe(2);
    expect(await importHandler(join(d1, 'task', 'index.mjs'))).toMatchObject({ value: 'layer-a' });
  });
});
