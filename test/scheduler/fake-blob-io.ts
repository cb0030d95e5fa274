// An in-process code store cluster for the scheduler tests: one BlobStateMachine per group on a
// memory store, proposals enveloped by a Sequencer as the real CodeStore caller does.
import { Sequencer } from '../../nodes/cluster/sequencer.js';
import { type CodeStoreIo } from '../../nodes/scheduler/code-store.js';
import { BlobOp, BlobStateMachine } from '../../storage/partitions/blob.js';
import { type CommandPayload } from '../../storage/partitions/envelope.js';
import { Harness } from '../partitions/memory-store.js';

export class FakeBlobCluster implements CodeStoreIo {
  readonly groups = new Map<number, Harness<BlobStateMachine>>();
  readonly sequencer = new Sequencer('code-store-test');
  /** Proposals by op, and reads, for assertions on what crossed the "network". */
  puts = 0;
  touches = 0;
  reads = 0;
  /** Rewrites a read answer: lets a test corrupt what the store returns. */
  tamper: ((group: number, answer: Uint8Array) => Uint8Array) | undefined;

  constructor(readonly groupIds: number[]) {
    for (const g of groupIds) this.groups.set(g, new Harness(new BlobStateMachine()));
  }

  private group(g: number): Harness<BlobStateMachine> {
    const h = this.groups.get(g);
    if (h === undefined) throw new Error(`no group ${g}`);
    return h;
  }

  async propose(group: number, p: CommandPayload): Promise<Uint8Array> {
    if (p.op === BlobOp.PutChunk) this.puts++;
    if (p.op === BlobOp.TouchChunks) this.touches++;
    const h = this.group(group);
    // Asynchronous like the network, so bounded parallelism really interleaves.
    await new Promise((r) => setImmediate(r));
    return this.sequencer.propose(p, async (bytes) => h.apply(bytes).result);
  }

  async read(group: number, query: Uint8Array): Promise<Uint8Array> {
    this.reads++;
    await new Promise((r) => setImmediate(r));
    const answer = await this.group(group).read(query);
    return this.tamper ? this.tamper(group, answer) : answer;
  }
}
