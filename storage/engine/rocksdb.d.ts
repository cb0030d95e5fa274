// The subset of @nxtedition/rocksdb (an abstract-level 1 store) that rocks-engine.ts uses; the
// package ships no TypeScript types.
declare module '@nxtedition/rocksdb' {
  export interface RocksBatchOp {
    type: 'put' | 'del';
    key: Buffer;
    value?: Buffer;
  }

  export interface RocksIteratorOptions {
    gte?: Buffer;
    lt?: Buffer;
    limit?: number;
    reverse?: boolean;
    keys?: boolean;
    values?: boolean;
  }

  export interface RocksIterator {
    /** Up to `size` pairs; an empty array once the iterator is exhausted. */
    nextv(size: number): Promise<Array<[Buffer, Buffer]>>;
    close(): Promise<void>;
  }

  /** The binding's batch below abstract-level's checks (underscore methods are its own API). */
  export interface RocksRawBatch {
    _put(key: Buffer, value: Buffer): void;
    _del(key: Buffer): void;
    /** Writes on the calling thread (the binding has no asynchronous batch write). */
    _writeSync(options: { sync: boolean }): void;
    _clear(): void;
  }

  export class RocksLevel {
    /** A location opens a database; a handle (from `handle`) shares one already open in this process. */
    constructor(locationOrHandle: string | bigint, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' });
    /** The native database pointer, for sharing the open database with worker threads. */
    readonly handle: bigint;
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    open(): Promise<void>;
    close(): Promise<void>;
    /** Rejects with code 'LEVEL_NOT_FOUND' for a missing key in this version. */
    get(key: Buffer): Promise<Buffer | undefined>;
    batch(ops: RocksBatchOp[], options?: { sync?: boolean }): Promise<void>;
    _chainedBatch(): RocksRawBatch;
    /** The iterator's view is fixed when it is created. */
    iterator(options?: RocksIteratorOptions): RocksIterator;
  }
}
