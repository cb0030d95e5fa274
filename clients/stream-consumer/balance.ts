// Which leases a worker should take, from one view of a stream's shards. Pure, so the rules can
// be read (and tested) apart from the RPCs:
//   - a shard is ready when it is not finished and every parent is (a parent no longer listed,
//     past retention, counts as finished): children never start before their parents end;
//   - live workers are the distinct owners of unexpired leases on ready shards, plus this one
//     (an idle worker holds no lease, so others cannot see it: it sees them, and steals);
//   - target = ceil(ready / live workers); a worker below target takes free or expired leases
//     first, and only when there are none steals one, from the most loaded worker, and only if
//     that worker is above target (so loads differing by one do not ping-pong).
// Shards waiting on a parent are left out of the target: counting them would send workers
// after shards nobody can take yet.

export interface ShardView {
  shardId: string;
  /** Lineage: the shards this one was split or merged from. */
  parents: string[];
  /** Checkpointed at its end by this application. */
  finished: boolean;
  /** Owner of an unexpired lease; undefined when free or expired. */
  owner: string | undefined;
}

export interface Plan {
  /** Ready shards, in shard id order. */
  ready: string[];
  target: number;
  /** Free or expired leases to take, at most enough to reach the target. */
  take: string[];
  /** A lease to steal, when there is nothing free to take. */
  steal?: { shardId: string; from: string };
}

/** mine: the shards this worker holds and processes (its own view wins over a stale listing). */
export function plan(shards: ShardView[], me: string, mine: ReadonlySet<string>, maxLeases = Number.POSITIVE_INFINITY): Plan {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const ready = shards
    .filter((s) => !s.finished && s.parents.every((p) => byId.get(p)?.finished ?? true))
    .sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  // A lease the listing shows as ours but that we do not process (a restarted worker reusing its
  // id) is free to us: taking it again is a renewal.
  const ownerOf = (s: ShardView): string | undefined => (mine.has(s.shardId) ? me : s.owner === me ? undefined : s.owner);
  const counts = new Map<string, number>([[me, 0]]);
  for (const s of ready) {
    const o = ownerOf(s);
    if (o !== undefined) counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  const target = Math.min(maxLeases, Math.ceil(ready.length / counts.size));
  const result: Plan = { ready: ready.map((s) => s.shardId), target, take: [] };
  const have = counts.get(me) ?? 0;
  if (have >= target) return result;
  const free = ready.filter((s) => ownerOf(s) === undefined).map((s) => s.shardId);
  if (free.length > 0) {
    result.take = free.slice(0, target - have);
    return result;
  }
  let victim: string | undefined;
  let most = 0;
  for (const [o, n] of counts) {
    if (o !== me && (n > most || (n === most && victim !== undefined && o < victim))) {
      victim = o;
      most = n;
    }
  }
  if (victim === undefined || most <= target) return result;
  const theirs = ready.filter((s) => ownerOf(s) === victim);
  result.steal = { shardId: theirs[theirs.length - 1]!.shardId, from: victim };
  return result;
}
