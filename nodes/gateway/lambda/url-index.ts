// Finding a function by the id in its URL. The catalog is keyed by function name, so the gateway
// keeps a small index of url id → function name built by listing the catalog. A hit is checked
// against the function's document (through the catalog's own cache); a miss lists the catalog
// again, so a URL created a moment ago (through any gateway) is found on its first request.
import { type LambdaBackend } from './backend.js';
import { type Versioned } from './catalog.js';
import { type FunctionDoc, type UrlDoc, asFunctionDoc } from './model.js';

export interface UrlHit {
  f: Versioned<FunctionDoc>;
  url: UrlDoc;
}

/** The catalog hands out at most this many documents a listing call. */
const PAGE = 1000;

export class UrlIndex {
  private byId = new Map<string, string>();
  /** The placement version the index was built under: a new one (a new catalog) empties it. */
  private builtAt = -1;
  /** Scans started so far; a request waits for one that started after it arrived. */
  private started = 0;
  private completed = 0;
  private inflight: { index: number; done: Promise<void> } | undefined;

  constructor(private readonly lambda: LambdaBackend) {}

  async find(urlId: string): Promise<UrlHit | undefined> {
    const view = await this.lambda.placement.current();
    if (view.version !== this.builtAt) {
      this.byId.clear();
      this.builtAt = view.version;
    }
    const arrived = this.started;
    const known = this.byId.get(urlId);
    if (known !== undefined) {
      const hit = await this.read(known, urlId);
      if (hit) return hit;
      this.byId.delete(urlId);
    }
    await this.scanAfter(arrived);
    const name = this.byId.get(urlId);
    return name === undefined ? undefined : this.read(name, urlId);
  }

  /** The function holding the URL, cached first, then fresh (the cache may predate the URL). */
  private async read(name: string, urlId: string): Promise<UrlHit | undefined> {
    const cached = await this.lambda.catalog.get('function', name, asFunctionDoc);
    const url = cached?.doc.urls.find((u) => u.urlId === urlId);
    if (cached && url) return { f: cached, url };
    const fresh = await this.lambda.catalog.fresh('function', name, asFunctionDoc);
    const again = fresh?.doc.urls.find((u) => u.urlId === urlId);
    return fresh && again ? { f: fresh, url: again } : undefined;
  }

  /**
   * Waits for a scan that started after scan number `arrived`: one such scan saw every URL that
   * existed when the request came in. Concurrent misses share a scan, so a flood of unknown ids
   * costs one listing at a time, not one each.
   */
  private async scanAfter(arrived: number): Promise<void> {
    for (;;) {
      if (this.completed > arrived) return;
      const running = this.inflight;
      if (running) {
        await running.done;
        if (running.index > arrived) return;
        continue;
      }
      const index = ++this.started;
      // Only a scan that finished counts: after a failed one, the next request scans again.
      const done = this.scan()
        .then(() => {
          this.completed = Math.max(this.completed, index);
        })
        .finally(() => {
          if (this.inflight?.index === index) this.inflight = undefined;
        });
      this.inflight = { index, done };
    }
  }

  private async scan(): Promise<void> {
    const next = new Map<string, string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.lambda.catalog.list('function', after, PAGE, asFunctionDoc);
      for (const doc of page) for (const u of doc.urls ?? []) next.set(u.urlId, doc.name);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.name;
    }
    this.byId = next;
  }
}
