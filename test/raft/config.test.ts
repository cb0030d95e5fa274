import { describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  RAFT_DEFAULTS,
  RaftConfigError,
  type RaftOptions,
  RawNode,
  SeededRng,
  resolveOptions,
} from '../../storage/raft/index.js';
import { Raft } from '../../storage/raft/raft.js';

function base(): RaftOptions {
  return { id: 1, storage: new MemoryStorage({ voters: [1] }), rng: new SeededRng(1) };
}

function configError(partial: Partial<RaftOptions>): RaftConfigError {
  try {
    new Raft({ ...base(), ...partial });
  } catch (err) {
    expect(err).toBeInstanceOf(RaftConfigError);
    expect((err as Error).name).toBe('RaftConfigError');
    return err as RaftConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(partial)}`);
}

describe('config validation', () => {
  it.each([
    [{ id: 0 }, 'raft config: id must be a positive integer, got 0'],
    [{ id: -3 }, 'raft config: id must be a positive integer, got -3'],
    [{ id: 1.5 }, 'raft config: id must be a positive integer, got 1.5'],
    [{ electionTick: 0 }, 'raft config: electionTick must be a positive integer, got 0'],
    [{ electionTick: Number.NaN }, 'raft config: electionTick must be a positive integer, got NaN'],
    [{ heartbeatTick: 0 }, 'raft config: heartbeatTick must be a positive integer, got 0'],
    [{ heartbeatTick: 10 }, 'raft config: heartbeatTick (10) must be less than electionTick (10)'],
    [{ electionTick: 3, heartbeatTick: 5 }, 'raft config: heartbeatTick (5) must be less than electionTick (3)'],
    [{ maxSizePerMsg: 0 }, 'raft config: maxSizePerMsg must be a positive integer, got 0'],
    [{ maxCommittedSizePerReady: -1 }, 'raft config: maxCommittedSizePerReady must be a positive integer, got -1'],
    [{ maxInflightMsgs: 0 }, 'raft config: maxInflightMsgs must be a positive integer, got 0'],
    [{ maxInflightBytes: -1 }, 'raft config: maxInflightBytes must be a non-negative integer, got -1'],
    [{ maxInflightBytes: 0.5 }, 'raft config: maxInflightBytes must be a non-negative integer, got 0.5'],
    [{ maxUncommittedBytes: -5 }, 'raft config: maxUncommittedBytes must be a non-negative integer, got -5'],
    [{ maxInflightBytes: 100, maxSizePerMsg: 200 }, 'raft config: maxInflightBytes (100) must be 0 or at least maxSizePerMsg (200)'],
    [{ snapshotChunkBytes: 0 }, 'raft config: snapshotChunkBytes must be a positive integer, got 0'],
    [{ snapshotChunkWindow: 1.5 }, 'raft config: snapshotChunkWindow must be a positive integer, got 1.5'],
    [{ maxLearnerLag: 0 }, 'raft config: maxLearnerLag must be a positive integer, got 0'],
    [{ maxClockDrift: 1 }, 'raft config: maxClockDrift must be in [0, 1), got 1'],
    [{ maxClockDrift: -0.01 }, 'raft config: maxClockDrift must be in [0, 1), got -0.01'],
    [{ maxClockDrift: Number.NaN }, 'raft config: maxClockDrift must be in [0, 1), got NaN'],
    [{ applied: -1 }, 'raft config: applied must be a non-negative integer, got -1'],
    [{ applied: 2.5 }, 'raft config: applied must be a non-negative integer, got 2.5'],
  ] as Array<[Partial<RaftOptions>, string]>)('%o -> %s', (partial, msg) => {
    expect(configError(partial).message).toBe(msg);
    expect(() => new RawNode({ ...base(), ...partial })).toThrow(msg);
  });

  it('defaults apply when options are omitted or undefined', () => {
    const r = resolveOptions({ ...base(), electionTick: undefined, preVote: undefined });
    expect(r).toMatchObject(RAFT_DEFAULTS);
    expect(r.applied).toBeUndefined();
    expect(RAFT_DEFAULTS).toMatchObject({ electionTick: 10, heartbeatTick: 1, preVote: true, checkQuorum: true, maxClockDrift: 0.05 });
  });

  it('accepts edge values that are valid', () => {
    expect(() => new Raft({ ...base(), maxInflightBytes: 0, maxSizePerMsg: 10 ** 9 })).not.toThrow();
    expect(() => new Raft({ ...base(), maxInflightBytes: 1024, maxSizePerMsg: 1024 })).not.toThrow();
    expect(() => new Raft({ ...base(), maxClockDrift: 0 })).not.toThrow();
    expect(() => new Raft({ ...base(), electionTick: 2, heartbeatTick: 1 })).not.toThrow();
    expect(() => new Raft({ ...base(), applied: 0 })).not.toThrow();
  });
});
