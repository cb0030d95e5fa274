// The cluster's placement map as a client sees it: a cached copy of the meta group's catalog
// (nodes, groups, logs), refreshed on a timer and on demand, which also feeds the cluster
// client's routes (where each group's replicas live) and the storage node's peer addresses.
import { type CommandPayload, type Decoded } from '../../storage/partitions/envelope.js';
import {
  type LogRecord,
  type Placement as PlacementMap,
  type QueueRecord,
  decodeLogResult,
  decodePlacementIfChanged,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../storage/partitions/meta-codec.js';
import { type ClusterClient } from './client.js';

export const META_GROUP = 0;

export type LogEntry = LogRecord;

export interface PlacementView extends PlacementMap {
  fetchedAt: number;
  upNodes: number;
}

/** Something that can learn node addresses (the storage node's transport). */
export interface AddressBook {
  setAddress(nodeId: number, address: string): void;
}

/** Proposes a meta command through the caller's client session. */
type ProposeMeta = (p: CommandPayload) => Promise<Uint8Array>;

export class Placement {
  private view: PlacementView | undefined;
  private queues = new Map<string, QueueRecord>();
  private inflight: Promise<PlacementView> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((v: PlacementView) => void)[] = [];

  constructor(
    private readonly client: ClusterClient,
    private readonly addressBook?: AddressBook,
    refreshMs = 1000,
  ) {
    this.timer = setInterval(() => {
      this.refresh().catch(() => {
        /* unreachable meta: keep the cached view, try again next round */
      });
    }, refreshMs);
    this.timer.unref();
  }

  onChange(f: (v: PlacementView) => void): void {
    this.listeners.push(f);
  }

  /** The cached view if younger than maxAgeMs, else a fresh one. */
  async current(maxAgeMs = 1000): Promise<PlacementView> {
    if (this.view && Date.now() - this.view.fetchedAt <= maxAgeMs) return this.view;
    return this.refresh();
  }

  refresh(): Promise<PlacementView> {
    this.inflight ??= (async () => {
      try {
        const held = this.view?.version;
        const r = decodePlacementIfChanged(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'getPlacement', ifNewerThan: held })));
        if (!r.ok) throw new Error(`placement: ${r.message}`);
        if (r.value === 'unchanged') this.view = { ...this.view!, fetchedAt: Date.now() };
        else this.install(r.value);
        return this.view!;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  private install(p: PlacementMap): void {
    const prev = this.view;
    this.view = { ...p, fetchedAt: Date.now(), upNodes: p.nodes.filter((n) => n.state === 'up').length };
    this.queues = new Map(p.queues.map((q) => [q.name, q]));
    const addr = new Map(p.nodes.map((n) => [n.id, n.address]));
    for (const [id, a] of addr) this.addressBook?.setAddress(id, a);
    for (const g of p.groups) {
      const ids = g.replicas;
      this.client.setRoute(g.id, () => ids.map((id) => addr.get(id)).filter((a): a is string => a !== undefined));
    }
    const metaAddrs = p.nodes.filter((n) => n.state !== 'removed').map((n) => n.address);
    if (metaAddrs.length > 0) this.client.setRoute(META_GROUP, () => metaAddrs);
    if (!prev || prev.version !== p.version) for (const f of this.listeners) f(this.view);
  }

  /** A log by name; a miss refreshes once, so a log created through another gateway is found. */
  async log(name: string): Promise<LogEntry | undefined> {
    const hit = (await this.current(5000)).logs.find((l) => l.name === name);
    if (hit) return hit;
    return (await this.refresh()).logs.find((l) => l.name === name);
  }

  /** A queue by name; a miss refreshes once, so a queue created through another gateway is found. */
  async queue(name: string, maxAgeMs = 5000): Promise<QueueRecord | undefined> {
    await this.current(maxAgeMs);
    return this.queues.get(name) ?? (await this.refresh(), this.queues.get(name));
  }

  async createLog(propose: ProposeMeta, a: { name: string; partitions: number; replicationFactor: number; retentionMs: number }): Promise<Decoded<LogEntry>> {
    const r = decodeLogResult(await propose(encodeMetaCommand({ type: 'createLog', ...a })));
    await this.refresh();
    return r.ok ? { ok: true, value: r.value.log } : r;
  }

  async deleteLog(propose: ProposeMeta, name: string): Promise<Decoded<unknown>> {
    const r = decodeLogResult(await propose(encodeMetaCommand({ type: 'deleteLog', name })));
    await this.refresh();
    return r.ok ? { ok: true, value: undefined } : r;
  }

  /** Waits until every group answers `probe` as a linearizable read: it has a leader that serves. */
  async waitForLeaders(groups: number[], probe: Uint8Array, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const g of groups) {
      while (true) {
        try {
          await this.client.read(g, probe);
          break;
        } catch (err) {
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
