// Each scheduler keeps function packages unpacked on its own disk, one directory per package
// and layer list, laid out so that layer packages resolve for the function's code the way Node
// resolves any bare specifier, for `import` and `require` alike, by walking up to a node_modules:
//
//   <root>/<key>/package.json        "{}": ends Node's search for the package scope here, so a
//                                    package.json above the cache (Stratus's own, "type":
//                                    "module") cannot turn a handler's index.js into ESM
//   <root>/<key>/task/               the function's package (LAMBDA_TASK_ROOT); its own
//                                    task/node_modules is found first
//   <root>/<key>/opt/                every layer extracted in list order, a later layer's files
//                                    over an earlier one's (Lambda's /opt)
//   <root>/<key>/node_modules/<pkg>  relative symlink → ../opt/nodejs/node_modules/<pkg>
//                                    (and opt/nodejs/node<major>/node_modules, which Lambda
//                                    puts first on its NODE_PATH)
//   <root>/<key>/node_modules/@aws-sdk/<pkg>  absolute symlink → Stratus's own installed AWS SDK
//                                    v3 packages, where no layer has one (Lambda's Node.js
//                                    runtimes include the SDK; a function's own copy still wins)
//
// Symlinks rather than copies: Node loads a module under its real path, so a layer package's
// own dependencies resolve from opt/nodejs/node_modules, and packages of different layers see
// each other as they do in Lambda's single /opt. Relative links survive the final rename.
//
// Not isolated: Node's walk goes on above <root>, so a node_modules in a parent of the cache
// directory is visible to functions; keep the data directory out of such trees.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { type CodeRef } from './code-store.js';
import { ZipError, extractZip } from './zip.js';

/** AWS: 250 MB unzipped, function and layers together. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** Where packages come from: a CodeStore, or anything that reads a verified package back. */
export interface CodeSource {
  get(ref: CodeRef): Promise<Uint8Array>;
}

export interface CodeCacheOptions {
  /** Cap on the function's and its layers' unzipped bytes together. Default MAX_UNZIPPED_BYTES. */
  maxUnzippedBytes?: number;
  /** The `@aws-sdk` directory functions import the SDK from; default Stratus's own, none when absent. */
  sdkDir?: string | null;
}

/** Stratus's installed `@aws-sdk` packages directory, if the SDK is installed. */
function ownSdkDir(): string | null {
  try {
    return dirname(dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-sqs/package.json')));
  } catch {
    return null;
  }
}

const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class CodeCache {
  readonly root: string;
  private readonly maxUnzippedBytes: number;
  private readonly sdkDir: string | null;
  private readonly pending = new Map<string, Promise<string>>();
  /** Directories known complete: a warm invoke then costs no file-system call (evict forgets them). */
  private readonly known = new Set<string>();
  private swept: Promise<void> | undefined;
  /** The eviction running now, if any: lookups wait for it rather than race its renames. */
  private evicting: Promise<unknown> = Promise.resolve();

  constructor(
    root: string,
    private readonly store: CodeSource,
    opts: CodeCacheOptions = {},
  ) {
    this.root = resolve(root);
    this.maxUnzippedBytes = opts.maxUnzippedBytes ?? MAX_UNZIPPED_BYTES;
    this.sdkDir = opts.sdkDir === undefined ? ownSdkDir() : opts.sdkDir;
  }

  /**
   * The cache key of a package with its layers (the layer order matters: later ones win) and
   * the SDK it links to (a moved or upgraded install gets directories of its own).
   */
  keyOf(code: CodeRef, layers: readonly CodeRef[]): string {
    return createHash('sha256')
      .update([code.sha256, ...layers.map((l) => l.sha256), `sdk:${this.sdkDir ?? ''}`].join('/'))
      .digest('hex')
      .slice(0, 32);
  }

  /**
   * The unpacked directory of a package with its layers (layout above); the handler module is
   * under `<dir>/task/`. Unpacked once per key; concurrent callers share the one extraction.
   */
  functionDir(code: CodeRef, layers: readonly CodeRef[]): Promise<string> {
    const key = this.keyOf(code, layers);
    if (this.known.has(key)) return Promise.resolve(join(this.root, key));
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.ensure(key, code, layers)
        .then((dir) => {
          this.known.add(key);
          return dir;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async ensure(key: string, code: CodeRef, layers: readonly CodeRef[]): Promise<string> {
    const dir = join(this.root, key);
    await this.evicting;
    // Only complete directories ever carry a key's name (see unpack), so existence is enough.
    if (await exists(dir)) return dir;
    this.swept ??= this.sweep();
    await this.swept;
    return this.unpack(dir, key, code, layers);
  }

  /** Removes what an earlier process left half done: its temp dirs and unfinished evictions. */
  private async sweep(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const name of await readdirOrEmpty(this.root)) {
      // Temp names are .tmp-<key>-<pid>-<random>: another live process may be unpacking.
      const pid = Number(name.split('-')[2]);
      const stale = name.startsWith(TRASH_PREFIX) || (name.startsWith(TMP_PREFIX) && pid !== process.pid && !pidAlive(pid));
      if (stale) await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  private async unpack(dir: string, key: string, code: CodeRef, layers: readonly CodeRef[]): Promise<string> {
    const tmp = join(this.root, `${TMP_PREFIX}${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      let budget = this.maxUnzippedBytes;
      const extract = async (ref: CodeRef, into: string): Promise<void> => {
        const zip = await this.store.get(ref);
        try {
          budget -= (await extractZip(zip, into, { maxUnzippedBytes: budget })).unzippedBytes;
        } catch (err) {
          if (err instanceof ZipError && err.reason === 'too-large') {
            throw new ZipError('too-large', `the function's code and layers unzip to more than ${this.maxUnzippedBytes} bytes`);
          }
          throw err;
        }
      };
      await mkdir(join(tmp, 'opt'), { recursive: true });
      await writeFile(join(tmp, 'package.json'), '{}\n', { mode: 0o644 });
      await extract(code, join(tmp, 'task'));
      for (const layer of layers) await extract(layer, join(tmp, 'opt'));
      await this.linkLayerPackages(tmp);
      await this.linkSdk(tmp);
      try {
        // Published whole or not at all: a crash before this leaves only a temp directory.
        await rename(tmp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Another process (sharing the root) published the same key first: same content.
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(dir))) {
          await rm(tmp, { recursive: true, force: true });
          return dir;
        }
        throw err;
      }
      return dir;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** <dir>/node_modules/<pkg> links to the merged layers' packages (see the layout above). */
  private async linkLayerPackages(dir: string): Promise<void> {
    const major = process.versions.node.split('.')[0] as string;
    // Generic first, runtime-specific second: a later source replaces an earlier link.
    const sources = [join(dir, 'opt', 'nodejs', 'node_modules'), join(dir, 'opt', 'nodejs', `node${major}`, 'node_modules')];
    const links = new Map<string, string>(); // package name (maybe @scope/name) → target
    for (const src of sources) {
      for (const name of await readdirOrEmpty(src)) {
        if (name.startsWith('.')) continue; // .bin, .package-lock.json
        if (name.startsWith('@')) {
          for (const sub of await readdirOrEmpty(join(src, name))) if (!sub.startsWith('.')) links.set(`${name}/${sub}`, join(src, name, sub));
        } else {
          links.set(name, join(src, name));
        }
      }
    }
    for (const [name, target] of links) {
      const link = join(dir, 'node_modules', name);
      await mkdir(dirname(link), { recursive: true });
      await symlink(relative(dirname(link), target), link, 'dir');
    }
  }

  /** <dir>/node_modules/@aws-sdk/<pkg> links to the installed SDK, where a layer has none. */
  private async linkSdk(dir: string): Promise<void> {
    if (this.sdkDir === null) return;
    const into = join(dir, 'node_modules', '@aws-sdk');
    await mkdir(into, { recursive: true });
    const layered = new Set(await readdirOrEmpty(into));
    for (const name of await readdirOrEmpty(this.sdkDir)) {
      if (name.startsWith('.') || layered.has(name)) continue;
      await symlink(join(this.sdkDir, name), join(into, name), 'dir');
    }
  }

  /**
   * Removes every unpacked directory except those in `keep` (directories functionDir returned,
   * still used by live environments) and those being unpacked now. Returns what it removed.
   */
  evict(keep: Iterable<string>): Promise<string[]> {
    this.known.clear();
    const list = [...keep]; // read now: the caller's collection may change while we wait
    const run = this.evicting.then(() => this.evictNow(list));
    this.evicting = run.catch(() => undefined);
    return run;
  }

  private async evictNow(keep: string[]): Promise<string[]> {
    const kept = new Set(keep.map((d) => resolve(d)));
    const removed: string[] = [];
    for (const name of await readdirOrEmpty(this.root)) {
      if (name.startsWith('.') || this.pending.has(name)) continue;
      const dir = join(this.root, name);
      if (kept.has(dir)) continue;
      // Renamed away first, so that a concurrent functionDir sees it gone and unpacks afresh
      // rather than returning a directory being deleted.
      const trash = join(this.root, `${TRASH_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
      try {
        await rename(dir, trash);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      await rm(trash, { recursive: true, force: true });
      removed.push(dir);
    }
    return removed;
  }
}
