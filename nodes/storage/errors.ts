// Errors a storage node returns to callers. The gRPC front maps each to one status code
// (service.ts); nodes/cluster/ maps them back and decides whether a retry is safe.

/** This replica does not lead the group; `leader` is the node it believes does (0: unknown). */
export class NotLeaderError extends Error {
  constructor(
    readonly group: number,
    readonly leader: number,
  ) {
    super(`group ${group}: not the leader${leader ? ` (leader is node ${leader})` : ' (no leader known)'}`);
    this.name = 'NotLeaderError';
  }
}

/** The proposal's outcome is unknown (leadership changed or it timed out): retry it unchanged. */
export class OutcomeUnknownError extends Error {
  constructor(readonly group: number, why: string) {
    super(`group ${group}: ${why}; the outcome is unknown, retry with the same client id and sequence`);
    this.name = 'OutcomeUnknownError';
  }
}

/** The node hosts no replica of the group (yet, or any more). */
export class GroupNotFoundError extends Error {
  constructor(readonly group: number) {
    super(`group ${group} is not hosted on this node`);
    this.name = 'GroupNotFoundError';
  }
}

/** The leader refuses new proposals for now (too much uncommitted data, a transfer under way). */
export class BusyError extends Error {
  constructor(readonly group: number, why: string) {
    super(`group ${group}: ${why}`);
    this.name = 'BusyError';
  }
}
