// Raft messages to and from their protobuf shape (proto/internal/raft.proto). Incoming objects
// come from the network: every field is checked before a Message reaches the core.
import { type Entry, type Message, MessageType, ReadMode, type SnapshotChunk, message } from '../../storage/raft/index.js';

export interface WireMessage {
  group: number;
  type: number;
  from: number;
  to: number;
  term: number;
  logTerm: number;
  index: number;
  entries: { term: number; index: number; type: number; data: Uint8Array }[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  context: string;
  readMode: number;
  leaseTick: number;
  force: boolean;
  snapshot: WireChunk | null;
}

interface WireChunk {
  metadata: { index: number; term: number; confState: { voters: number[]; learners: number[] } };
  offset: number;
  totalBytes: number;
  data: Uint8Array;
}

export interface WireBatch {
  fromNode: number;
  messages: WireMessage[];
}

export function toWire(group: number, m: Message): WireMessage {
  return {
    group,
    type: m.type,
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries,
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    context: m.context,
    readMode: m.readMode,
    leaseTick: m.leaseTick,
    force: m.force,
    snapshot: m.snapshot,
  };
}

export class WireError extends Error {}

function num(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new WireError(`raft wire: field ${k} is not a non-negative integer`);
  return v;
}

function bytes(o: Record<string, unknown>, k: string): Uint8Array {
  const v = o[k];
  if (!(v instanceof Uint8Array)) throw new WireError(`raft wire: field ${k} is not bytes`);
  return v;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new WireError(`raft wire: ${what} is not an object`);
  return v as Record<string, unknown>;
}

function ids(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x > 0)) {
    throw new WireError(`raft wire: ${what} is not a list of node ids`);
  }
  return v as number[];
}

const MAX_TYPE = MessageType.ReadIndexResp;

/** Checks and converts one incoming message; throws WireError when it is malformed. */
export function fromWire(raw: unknown): { group: number; msg: Message } {
  const o = obj(raw, 'message');
  const type = num(o, 'type');
  if (type > MAX_TYPE) throw new WireError(`raft wire: unknown message type ${type}`);
  const entriesRaw = o.entries;
  if (!Array.isArray(entriesRaw)) throw new WireError('raft wire: entries is not a list');
  const entries: Entry[] = entriesRaw.map((e: unknown) => {
    const eo = obj(e, 'entry');
    return { term: num(eo, 'term'), index: num(eo, 'index'), type: num(eo, 'type'), data: bytes(eo, 'data') };
  });
  let snapshot: SnapshotChunk | null = null;
  if (o.snapshot !== null && o.snapshot !== undefined) {
    const so = obj(o.snapshot, 'snapshot');
    const mo = obj(so.metadata, 'snapshot metadata');
    const cs = obj(mo.confState, 'conf state');
    snapshot = {
      metadata: { index: num(mo, 'index'), term: num(mo, 'term'), confState: { voters: ids(cs.voters, 'voters'), learners: ids(cs.learners, 'learners') } },
      offset: num(so, 'offset'),
      totalBytes: num(so, 'totalBytes'),
      data: bytes(so, 'data'),
    };
  }
  const readMode = num(o, 'readMode');
  const context = o.context;
  if (typeof context !== 'string') throw new WireError('raft wire: context is not a string');
  const msg = message({
    type: type as MessageType,
    from: num(o, 'from'),
    to: num(o, 'to'),
    term: num(o, 'term'),
    logTerm: num(o, 'logTerm'),
    index: num(o, 'index'),
    entries,
    commit: num(o, 'commit'),
    reject: o.reject === true,
    rejectHint: num(o, 'rejectHint'),
    context,
    readMode: readMode === ReadMode.Lease ? ReadMode.Lease : ReadMode.Safe,
    leaseTick: num(o, 'leaseTick'),
    force: o.force === true,
    snapshot,
  });
  return { group: num(o, 'group'), msg };
}
