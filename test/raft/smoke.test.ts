import { describe, expect, it } from 'vitest';
import { TestCluster } from './cluster.js';

describe('raft smoke', () => {
  it('elects a leader and replicates a proposal to all nodes', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    expect(c.leader()).toBe(1);
    c.propose(1, 'hello');
    for (const id of [1, 2, 3]) expect(c.appliedTexts(id)).toEqual(['hello']);
  });
});
