// Provisioned concurrency: keeps, for every configured version or alias, that many execution
// environments initialised ahead of requests. A reconcile pass reads the catalog and brings the
// worker pool in line (also after a restart); the status is what this scheduler has achieved.
import { type LambdaBackend } from '../gateway/lambda/backend.js';
import { asFunctionDoc } from '../gateway/lambda/model.js';
import { type Scheduler } from './scheduler.js';

export type ProvisionedStatus = 'IN_PROGRESS' | 'READY' | 'FAILED';

interface State {
  specKey: string;
  count: number;
  status: ProvisionedStatus;
  reason?: string;
}

const RECONCILE_MS = 2000;

export class Provisioner {
  private readonly states = new Map<string, State>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly lambda: () => LambdaBackend,
    private readonly scheduler: Scheduler,
    private readonly log: (line: string) => void,
    /** With several schedulers, each provisions the functions it owns (the ones gateways route to it). */
    private readonly owns: (functionName: string) => boolean = () => true,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  status(fn: string, qualifier: string): { status: ProvisionedStatus; available: number; reason?: string } {
    const s = this.states.get(`${fn}:${qualifier}`);
    if (!s) return { status: 'IN_PROGRESS', available: 0 };
    return { status: s.status, available: s.status === 'READY' ? s.count : 0, ...(s.reason ? { reason: s.reason } : {}) };
  }

  /** Every state this scheduler keeps, for gateways that report provisioned concurrency. */
  entries(): { functionName: string; qualifier: string; status: ProvisionedStatus; available: number; reason: string }[] {
    return [...this.states].map(([id, s]) => {
      const colon = id.lastIndexOf(':');
      return { functionName: id.slice(0, colon), qualifier: id.slice(colon + 1), status: s.status, available: s.status === 'READY' ? s.count : 0, reason: s.reason ?? '' };
    });
  }

  /** One pass now (after a Put or Delete, and on the timer); concurrent calls share a pass. */
  reconcile(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const lambda = this.lambda();
    let docs;
    try {
      docs = await lambda.catalog.list('function', undefined, 10_000, asFunctionDoc);
    } catch {
      return; // the catalog is unreachable: try again next round
    }
    const wanted = new Set<string>();
    for (const doc of docs) {
      if (!this.owns(doc.name)) continue;
      for (const p of doc.provisioned) {
        const id = `${doc.name}:${p.qualifier}`;
        wanted.add(id);
        try {
          const target = lambda.resolve({ rev: 0, doc }, p.qualifier, 0.999_999);
          const spec = await this.scheduler.spec(target);
          const cur = this.states.get(id);
          if (cur && cur.specKey === spec.key && cur.count === p.requested && cur.status !== 'FAILED') continue;
          if (cur && cur.specKey !== spec.key) await this.scheduler.unprovision(cur.specKey);
          this.states.set(id, { specKey: spec.key, count: p.requested, status: 'IN_PROGRESS' });
          await this.scheduler.prewarm(target, p.requested);
          this.states.set(id, { specKey: spec.key, count: p.requested, status: 'READY' });
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          this.log(`scheduler: provisioned concurrency of ${id} failed: ${reason}`);
          this.states.set(id, { specKey: this.states.get(id)?.specKey ?? '', count: p.requested, status: 'FAILED', reason });
        }
      }
    }
    for (const [id, s] of this.states) {
      if (wanted.has(id)) continue;
      this.states.delete(id);
      await this.scheduler.unprovision(s.specKey).catch(() => undefined);
    }
  }
}
