// Each scheduler keeps function packages unpacked on its own disk, keyed by the package and its
// layers. The layout makes layer packages resolve for the function's code the way Node resolves
// any bare specifier, for `import` and `require` alike, by walking up to a node_modules:
//
//   <root>/<key>/task/              the function's package (LAMBDA_TASK_ROOT)
//   <root>/<key>/task/node_modules  its own dependencies, found first
//   <root>/<key>/node_modules/<pkg> → <root>/<key>/opt/nodejs/node_modules/<pkg>
//   <root>/<key>/opt/               every layer extracted in order, later layers over earlier
//                                   ones (Lambda's /opt)
//
// The node_modules entries are symlinks into opt/: Node resolves a module's real path, and a
// layer package's own dependencies then resolve inside opt/nodejs/node_modules as they should.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type CodeRef, type CodeStore } from './code-store.js';
import { extractZip } from './zip.js';

/** AWS: 250 MB unzipped, function and layers together. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export class CodeCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly root: string,
    private readonly store: CodeStore,
    private readonly maxUnzippedBytes = MAX_UNZIPPED_BYTES,
  ) {}

  /** The unpacked directory of a package with its layers (see the layout above). */
  functionDir(code: CodeRef, layers: CodeRef[]): Promise<string> {
    const key = createHash('sha256').update([code.sha256, ...layers.map((l) => l.sha256)].join('/')).digest('hex').slice(0, 32);
    const dir = join(this.root, key);
    if (existsSync(join(dir, 'task'))) return Promise.resolve(dir);
    let p = this.pending.get(key);
    if (!p) {
      p = this.unpack(dir, code, layers).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async unpack(dir: string, code: CodeRef, layers: CodeRef[]): Promise<string> {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      let budget = this.maxUnzippedBytes;
      const opt = join(tmp, 'opt');
      mkdirSync(opt, { recursive: true });
      for (const layer of layers) budget -= extractZip(await this.store.get(layer), opt, { maxUnzippedBytes: budget });
      extractZip(await this.store.get(code), join(tmp, 'task'), { maxUnzippedBytes: budget });
      const layerModules = join(opt, 'nodejs', 'node_modules');
      if (existsSync(layerModules)) {
        const links = join(tmp, 'node_modules');
        mkdirSync(links, { recursive: true });
        for (const name of readdirSync(layerModules)) {
          if (name.startsWith('@')) {
            mkdirSync(join(links, name), { recursive: true });
            for (const sub of readdirSync(join(layerModules, name))) symlinkSync(join(dir, 'opt', 'nodejs', 'node_modules', name, sub), join(links, name, sub));
          } else {
            symlinkSync(join(dir, 'opt', 'nodejs', 'node_modules', name), join(links, name));
          }
        }
      }
      // Published whole or not at all: a crash mid-way leaves only a .tmp directory.
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (existsSync(join(dir, 'task'))) return dir; // another process won the race
      throw err;
    }
    return dir;
  }
}
