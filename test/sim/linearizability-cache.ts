// The memo table of the linearizability search (see linearizability.ts).

/** 32-bit integer hash (xorshift-multiply finalizer). */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * Visited configurations: (set of linearized required ops R, set of linearized pending writes
 * P, register state). Every visited configuration that is not on the current search path has
 * failed. A configuration (R, P', s) with P' ⊇ P fails whenever (R, P, s) does: the pending
 * writes still available to it are a subset of those available to (R, P, s) -- up to the
 * interchangeability of equal-valued pending writes, which are always used in call order --
 * so any completion of it would also complete (R, P, s). Such configurations are pruned too.
 * (No configuration on the current path covers a new one: the ones with equal R differ in
 * state, since a pending write is always followed by a read of a value that was not current.)
 *
 * Storage is compact: per entry the hash, the state, the number of leading all-ones words of
 * R and the words of R from there up to its last non-zero word, and P, in typed-array arenas.
 * Lookup is an open-addressing table of entry numbers keyed by a 32-bit Zobrist hash of
 * (R, state); entries with equal hashes sit in the same probe run and are compared exactly.
 */
export class ConfigurationCache {
  private table = new Int32Array(1 << 12); // entry number + 1, or 0 if the slot is empty
  private entryHash = new Int32Array(1024);
  private entryState = new Int32Array(1024);
  private entryFull = new Int32Array(1024);
  private entryLength = new Int32Array(1024);
  private entryOffset = new Int32Array(1024);
  private words = new Uint32Array(4096);
  private size = 0;
  private used = 0; // words in use

  constructor(
    private readonly requiredWords: number,
    private readonly totalWords: number,
  ) {}

  /**
   * Adds the configuration unless a stored one covers it (same required ops and state, subset
   * of the pending writes); returns false if it was covered. `bits` is the bitset, whose
   * required words below `fullWords` are all ones and above `topWord` all zeros.
   */
  addUnlessCovered(hash: number, state: number, bits: Uint32Array, fullWords: number, topWord: number): boolean {
    const h = (hash ^ mix32(state + 0x27d4eb2f)) | 0;
    const length = topWord >= fullWords ? topWord - fullWords + 1 : 0;
    const pendingWords = this.totalWords - this.requiredWords;
    const mask = this.table.length - 1;
    let slot = mix32(h) & mask;
    for (let e = this.table[slot]! - 1; e >= 0; e = this.table[slot]! - 1) {
      if (
        this.entryHash[e] === h &&
        this.entryState[e] === state &&
        this.entryFull[e] === fullWords &&
        this.entryLength[e] === length
      ) {
        const base = this.entryOffset[e]!;
        let covered = true;
        for (let w = 0; w < length; w++) {
          if (this.words[base + w] !== bits[fullWords + w]) {
            covered = false;
            break;
          }
        }
        for (let w = 0; covered && w < pendingWords; w++) {
          if ((this.words[base + length + w]! & ~bits[this.requiredWords + w]!) !== 0) covered = false;
        }
        if (covered) return false;
      }
      slot = (slot + 1) & mask;
    }
    // Append the entry.
    const e = this.size++;
    if (e === this.entryHash.length) this.growEntries();
    while (this.used + length + pendingWords > this.words.length) this.words = grown(this.words, this.words.length * 2);
    const offset = this.used;
    this.words.set(bits.subarray(fullWords, fullWords + length), offset);
    this.words.set(bits.subarray(this.requiredWords, this.totalWords), offset + length);
    this.used += length + pendingWords;
    this.entryHash[e] = h;
    this.entryState[e] = state;
    this.entryFull[e] = fullWords;
    this.entryLength[e] = length;
    this.entryOffset[e] = offset;
    this.table[slot] = e + 1;
    if (this.size * 2 > this.table.length) this.rehash();
    return true;
  }

  private growEntries(): void {
    const capacity = this.entryHash.length * 2;
    this.entryHash = grown(this.entryHash, capacity);
    this.entryState = grown(this.entryState, capacity);
    this.entryFull = grown(this.entryFull, capacity);
    this.entryLength = grown(this.entryLength, capacity);
    this.entryOffset = grown(this.entryOffset, capacity);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = mix32(this.entryHash[e]!) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }
}

function grown<T extends Int32Array | Uint32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
