import { type ConfState, type NodeId } from './types.js';

export enum ConfChangeType {
  /** Adds a voter, or promotes a learner to voter. */
  AddNode = 0,
  /** Adds a non-voting member that replicates the log (catch-up before promotion). */
  AddLearner = 1,
  RemoveNode = 2,
}

export interface ConfChange {
  type: ConfChangeType;
  nodeId: NodeId;
}

// A conf change is stored in a log entry: byte 0 is the encoding version, then the type
// (one byte), then the node id as a little-endian float64 (ids are safe integers).
const CONF_CHANGE_FORMAT_V1 = 1;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const buf = new Uint8Array(10);
  const view = new DataView(buf.buffer);
  view.setUint8(0, CONF_CHANGE_FORMAT_V1);
  view.setUint8(1, cc.type);
  view.setFloat64(2, cc.nodeId, true);
  return buf;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.byteLength !== 10) throw new Error(`conf change: expected 10 bytes, got ${data.byteLength}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== CONF_CHANGE_FORMAT_V1) throw new Error(`conf change: unknown format version ${version}`);
  const type = view.getUint8(1);
  if (!(type in ConfChangeType)) throw new Error(`conf change: unknown type ${type}`);
  return { type: type as ConfChangeType, nodeId: view.getFloat64(2, true) };
}

/**
 * Why a conf change cannot be proposed against the configuration cs, or undefined if it can.
 * Changes are one server at a time, so any two consecutive configurations share a majority.
 */
export function confChangeProblem(cs: ConfState, cc: ConfChange): string | undefined {
  if (!Number.isSafeInteger(cc.nodeId) || cc.nodeId <= 0) return `node id must be a positive integer, got ${cc.nodeId}`;
  const isVoter = cs.voters.includes(cc.nodeId);
  const isLearner = cs.learners.includes(cc.nodeId);
  switch (cc.type) {
    case ConfChangeType.AddNode:
      return isVoter ? `node ${cc.nodeId} is already a voter` : undefined;
    case ConfChangeType.AddLearner:
      if (isVoter) return `node ${cc.nodeId} is a voter; demoting a voter to learner is not supported`;
      return isLearner ? `node ${cc.nodeId} is already a learner` : undefined;
    case ConfChangeType.RemoveNode:
      if (!isVoter && !isLearner) return `node ${cc.nodeId} is not a member`;
      if (isVoter && cs.voters.length === 1) return `cannot remove the last voter ${cc.nodeId}`;
      return undefined;
  }
}

/** The configuration after applying cc to cs (cc assumed valid). */
export function applyToConfState(cs: ConfState, cc: ConfChange): ConfState {
  const voters = cs.voters.filter((id) => id !== cc.nodeId);
  const learners = cs.learners.filter((id) => id !== cc.nodeId);
  if (cc.type === ConfChangeType.AddNode) voters.push(cc.nodeId);
  if (cc.type === ConfChangeType.AddLearner) learners.push(cc.nodeId);
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}
