// The loop behind the schedulers' per-resource workers (a topic's deliverer, a state machine's
// executor): every refresh it reads the catalog and keeps one worker per resource, stopping those
// whose resource is gone; the workers contend for their resource's lease themselves.
import { sleep } from '../sleep.js';

export interface Worker {
  /** `gone`: the resource was deleted (its group takes no more commands). */
  stop(gone?: boolean): Promise<void>;
}

export abstract class Reconciler<W extends Worker> {
  protected readonly abort = new AbortController();
  protected readonly running = new Map<string, W>();
  private loop: Promise<void> | undefined;

  constructor(
    /** Names the loop in log lines, e.g. 'topic deliveries'. */
    private readonly what: string,
    protected readonly log: (line: string) => void,
    protected readonly refreshMs = 1000,
  ) {}

  /** Brings the workers in line with the catalog once. */
  abstract reconcile(): Promise<void>;

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 500).unref())]);
    await Promise.all([...this.running.values()].map((w) => w.stop()));
    this.running.clear();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.reconcile();
      } catch (err) {
        if (!this.abort.signal.aborted) this.log(`scheduler: ${this.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(this.refreshMs, this.abort.signal);
    }
  }
}
