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

  export class RocksLevel {
    constructor(location: string, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' });
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    open(): Promise<void>;
    close(): Promise<void>;
    /** Rejects with code 'LEVEL_NOT_FOUND' for a missing key in this version. */
    get(key: Buffer): Promise<Buffer | undefined>;
    batch(ops: RocksBatchOp[], options?: { sync?: boolean }): Promise<void>;
    /** The iterator's view is fixed when it is created. */
    iterator(options?: RocksIteratorOptions): RocksIterator;
  }
}
