// Raft messages between storage nodes: one client stream per peer, carrying every message of
// every group from one ready-loop cycle as one batch, so heartbeats of many groups to the same
// peer share a frame. Raft tolerates loss, which gives back-pressure for free: while a peer's
// stream is congested (its buffer over the high-water mark) or down, batches for it are dropped
// and the groups' own retry logic (heartbeats, probes, snapshot resume) recovers.
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../grpc/protos.js';
import { type WireBatch, type WireMessage, WireError } from './raft-wire.js';

export interface TransportOptions {
  nodeId: number;
  /** The gRPC address of a peer node, or undefined while it is unknown. */
  resolve: (nodeId: number) => string | undefined;
  /** Delay before reopening a failed stream. Default 200 ms. */
  reconnectMs?: number;
}

export interface TransportStats {
  batchesSent: number;
  messagesSent: number;
  messagesDropped: number;
  batchesReceived: number;
  malformed: number;
}

/** How long a peer's channel may stay unconnected before it is replaced by a new one. */
const STUCK_CHANNEL_MS = 3000;

class PeerStream {
  private client: grpc.Client | undefined;
  private call: grpc.ClientWritableStream<WireBatch> | undefined;
  private congested = false;
  private retryAt = 0;
  private notReadySince: number | undefined;

  constructor(
    private readonly peer: number,
    private address: string,
    private readonly reconnectMs: number,
  ) {}

  /** Returns false when the batch was dropped. */
  send(batch: WireBatch, address: string): boolean {
    if (address !== this.address) {
      this.close();
      this.address = address;
    }
    this.replaceStuckChannel();
    if (!this.call) {
      if (Date.now() < this.retryAt) return false;
      this.open();
    }
    if (this.congested || !this.call) return false;
    if (!this.call.write(batch)) {
      this.congested = true;
      this.call.once('drain', () => {
        this.congested = false;
      });
    }
    return true;
  }

  /**
   * A channel that has not been connected for a while gets replaced. A peer restarted in a
   * container comes back on a new address under the same name, while the old channel keeps
   * trying the old address (a connect there hangs until the kernel gives up, about two minutes):
   * a new channel looks the name up again.
   */
  private replaceStuckChannel(): void {
    if (!this.client) return;
    const state = this.client.getChannel().getConnectivityState(false);
    if (state === grpc.connectivityState.READY) {
      this.notReadySince = undefined;
      return;
    }
    const now = Date.now();
    this.notReadySince ??= now;
    if (now - this.notReadySince < STUCK_CHANNEL_MS) return;
    this.notReadySince = undefined;
    this.close();
  }

  private open(): void {
    const Ctor = services().raft;
    this.client ??= new Ctor(this.address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const call = (this.client as unknown as { stream(cb: (err: Error | null) => void): grpc.ClientWritableStream<WireBatch> }).stream(() => {
      // The stream ended (peer restart, network error): reopen on a later send.
      if (this.call === call) this.fail();
    });
    call.on('error', () => {
      if (this.call === call) this.fail();
    });
    this.call = call;
    this.congested = false;
  }

  private fail(): void {
    this.call = undefined;
    this.congested = false;
    this.retryAt = Date.now() + this.reconnectMs;
  }

  close(): void {
    const call = this.call;
    this.call = undefined;
    call?.end();
    this.client?.close();
    this.client = undefined;
  }

  get peerId(): number {
    return this.peer;
  }
}

export class RaftTransport {
  private readonly peers = new Map<number, PeerStream>();
  private readonly pending = new Map<number, WireMessage[]>();
  readonly stats: TransportStats = { batchesSent: 0, messagesSent: 0, messagesDropped: 0, batchesReceived: 0, malformed: 0 };

  constructor(
    private readonly opts: TransportOptions,
    private readonly deliver: (batch: WireBatch) => void,
  ) {}

  enqueue(to: number, m: WireMessage): void {
    let list = this.pending.get(to);
    if (!list) this.pending.set(to, (list = []));
    list.push(m);
  }

  /** Makes sure the next flush sends the peer a batch, empty if nothing else: a liveness ping. */
  ping(to: number): void {
    if (!this.pending.has(to)) this.pending.set(to, []);
  }

  /** Sends everything enqueued since the last flush: one batch per peer. */
  flush(): void {
    for (const [to, messages] of this.pending) {
      const address = this.opts.resolve(to);
      let ok = false;
      if (address) {
        let peer = this.peers.get(to);
        if (!peer) this.peers.set(to, (peer = new PeerStream(to, address, this.opts.reconnectMs ?? 200)));
        ok = peer.send({ fromNode: this.opts.nodeId, messages }, address);
      }
      if (ok) {
        this.stats.batchesSent++;
        this.stats.messagesSent += messages.length;
      } else {
        this.stats.messagesDropped += messages.length;
      }
    }
    this.pending.clear();
  }

  /** The RaftTransport service for the node's gRPC server. */
  service(): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
    const stream = (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>): void => {
      call.on('data', (raw: unknown) => {
        this.stats.batchesReceived++;
        try {
          const b = raw as { fromNode?: unknown; messages?: unknown };
          if (typeof b.fromNode !== 'number' || !Array.isArray(b.messages)) throw new WireError('raft wire: malformed batch');
          this.deliver(b as WireBatch);
        } catch (err) {
          if (!(err instanceof WireError)) throw err;
          this.stats.malformed++;
        }
      });
      call.on('end', () => callback(null, {}));
      call.on('error', () => {
        /* the peer went away; it reopens its stream */
      });
    };
    return { definition: services().raft.service, implementation: { stream } };
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
  }
}
