// The queue catalog and access keys in the meta group: command bodies, records and decoders.
// Records are JSON (the catalog is small); every decoder rebuilds records field by field so
// replicas that reloaded from the store re-encode them byte for byte.
import { DecodeError } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';

export interface QueueRecord {
  name: string;
  /** The meta Raft index that created this incarnation: receipt handles carry it. */
  id: number;
  fifo: boolean;
  /** Every settable attribute, as the strings SQS shows (defaults filled in at creation). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Group of partition p is groupIds[p]. */
  groupIds: number[];
  createdAtMs: number;
  lastModifiedMs: number;
  /** 0: never purged. */
  lastPurgeMs: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  root: boolean;
  createdAtMs: number;
}

export type QueueCatalogCommand =
  | { type: 'createQueue'; name: string; attributes: Record<string, string>; requested: Record<string, string>; tags: Record<string, string>; partitions: number; replicationFactor: number }
  | { type: 'deleteQueue'; name: string }
  | { type: 'setQueueAttributes'; name: string; attributes: Record<string, string> }
  | { type: 'tagQueue'; name: string; tags: Record<string, string> }
  | { type: 'untagQueue'; name: string; keys: string[] }
  | { type: 'purgeQueue'; name: string }
  | { type: 'putRootKey'; accessKeyId: string; secretAccessKey: string }
  | { type: 'putServiceKey'; accessKeyId: string; secretAccessKey: string };

export type Obj = Record<string, unknown>;

export function object(v: unknown, what = 'body'): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(`${what} must be a JSON object`);
  return v as Obj;
}
export const num = (o: Obj, f: string): number => {
  const v = o[f];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new DecodeError(`${f} must be an integer`);
  return v;
};
export const str = (o: Obj, f: string): string => {
  const v = o[f];
  if (typeof v !== 'string') throw new DecodeError(`${f} must be a string`);
  return v;
};
export const bool = (o: Obj, f: string): boolean => {
  const v = o[f];
  if (typeof v !== 'boolean') throw new DecodeError(`${f} must be a boolean`);
  return v;
};
/** A string map with its keys sorted, so equal maps encode equally. */
export function stringMap(o: Obj, f: string): Record<string, string> {
  const m = object(o[f], f);
  // No prototype: a key such as `__proto__` is data here, like any other tag or attribute name.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(m).sort()) {
    const v = m[k];
    if (typeof v !== 'string') throw new DecodeError(`${f}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}
export const strings = (o: Obj, f: string): string[] => {
  const v = o[f];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new DecodeError(`${f} must be an array of strings`);
  return v;
};
const nums = (o: Obj, f: string): number[] => {
  const v = o[f];
  if (!Array.isArray(v) || !v.every((x): x is number => typeof x === 'number')) throw new DecodeError(`${f} must be an array of numbers`);
  return v;
};

export function decodeCatalogCommand(type: QueueCatalogCommand['type'], o: Obj): QueueCatalogCommand {
  switch (type) {
    case 'createQueue':
      return {
        type,
        name: str(o, 'name'),
        attributes: stringMap(o, 'attributes'),
        requested: stringMap(o, 'requested'),
        tags: stringMap(o, 'tags'),
        partitions: num(o, 'partitions'),
        replicationFactor: num(o, 'replicationFactor'),
      };
    case 'deleteQueue':
    case 'purgeQueue':
      return { type, name: str(o, 'name') };
    case 'setQueueAttributes':
      return { type, name: str(o, 'name'), attributes: stringMap(o, 'attributes') };
    case 'tagQueue':
      return { type, name: str(o, 'name'), tags: stringMap(o, 'tags') };
    case 'untagQueue':
      return { type, name: str(o, 'name'), keys: strings(o, 'keys') };
    case 'putRootKey':
    case 'putServiceKey':
      return { type, accessKeyId: str(o, 'accessKeyId'), secretAccessKey: str(o, 'secretAccessKey') };
  }
}

export function toQueueRecord(v: unknown): QueueRecord {
  const o = object(v);
  return {
    name: str(o, 'name'),
    id: num(o, 'id'),
    fifo: bool(o, 'fifo'),
    attributes: stringMap(o, 'attributes'),
    tags: stringMap(o, 'tags'),
    groupIds: nums(o, 'groupIds'),
    createdAtMs: num(o, 'createdAtMs'),
    lastModifiedMs: num(o, 'lastModifiedMs'),
    lastPurgeMs: num(o, 'lastPurgeMs'),
  };
}

export function toAccessKeyRecord(v: unknown): AccessKeyRecord {
  const o = object(v);
  return { accessKeyId: str(o, 'accessKeyId'), secretAccessKey: str(o, 'secretAccessKey'), root: bool(o, 'root'), createdAtMs: num(o, 'createdAtMs') };
}

export function decodeQueueResult(bytes: Uint8Array, parse: (b: Uint8Array) => unknown): Decoded<QueueRecord> {
  return decodeResultWith(bytes, (b) => toQueueRecord(parse(b)));
}

export function decodeAccessKeyResult(bytes: Uint8Array, parse: (b: Uint8Array) => unknown): Decoded<AccessKeyRecord> {
  return decodeResultWith(bytes, (b) => toAccessKeyRecord(parse(b)));
}
