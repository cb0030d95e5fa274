// Message-level rules of SQS: allowed body characters, message attribute checks, the MD5 digests
// the SDKs verify, the stored form of attributes, and receipt handles.
import { createHash } from 'node:crypto';
import { AwsError } from '../errors.js';
import { emptyMap } from '../shapes.js';

export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
  StringListValues?: string[];
  BinaryListValues?: Uint8Array[];
}
export type AttributeMap = Record<string, AttributeValue>;

/** AWS: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkBody(body: string, field = 'MessageBody'): void {
  if (body.length === 0) throw new AwsError('MissingParameter', `The request must contain the parameter ${field}.`);
  if (FORBIDDEN.test(body) || /[\uD800-\uDFFF]/.test(body.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw new AwsError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  }
}

const ATTR_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;

/** AWS: at most 10 attributes; names, types and values as the SendMessage reference says. Returns their size in bytes. */
export function checkMessageAttributes(attrs: AttributeMap, field = 'MessageAttribute'): number {
  const names = Object.keys(attrs);
  if (names.length > 10) throw new AwsError('InvalidParameterValue', `Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  let size = 0;
  for (const name of names) {
    const v = attrs[name]!;
    if (!ATTR_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw new AwsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid.`);
    }
    if (/^(aws\.|amazon\.)/i.test(name)) {
      throw new AwsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid. Reason: the name begins with a reserved prefix (AWS. or Amazon.).`);
    }
    if (!DATA_TYPE.test(v.DataType)) {
      throw new AwsError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (v.StringListValues?.length || v.BinaryListValues?.length) {
      throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}': StringListValues and BinaryListValues are reserved for future use and not supported.`);
    }
    const base = v.DataType.split('.')[0];
    if (base === 'Binary') {
      if (v.BinaryValue === undefined || v.BinaryValue.length === 0) {
        throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      }
      size += v.BinaryValue.length;
    } else {
      if (v.StringValue === undefined || v.StringValue.length === 0) {
        throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
      }
      if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.StringValue.trim())) {
        throw new AwsError('InvalidParameterValue', `Could not cast message attribute '${name}' value to number.`);
      }
      checkBody(v.StringValue, `${field}.${name}`);
      size += Buffer.byteLength(v.StringValue);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType);
  }
  return size;
}

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5OfMessageAttributes as SQS computes it (and the SDKs check it): for each attribute in
 * name order, the name, the data type and the value, each as a 4-byte big-endian length and
 * its bytes, with a transport byte (1 string, 2 binary) before the value.
 */
export function md5OfAttributes(attrs: AttributeMap): string {
  const names = Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0) return '';
  const h = createHash('md5');
  const field = (b: Uint8Array): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len);
    h.update(b);
  };
  for (const name of names) {
    const v = attrs[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(v.DataType, 'utf8'));
    if (v.BinaryValue !== undefined && v.DataType.startsWith('Binary')) {
      h.update(Uint8Array.of(2));
      field(v.BinaryValue);
    } else {
      h.update(Uint8Array.of(1));
      field(Buffer.from(v.StringValue ?? '', 'utf8'));
    }
  }
  return h.digest('hex');
}

/** The stored form of a message's attributes: JSON with binary values in base64. */
export function encodeAttributes(attrs: AttributeMap): Uint8Array {
  if (Object.keys(attrs).length === 0) return new Uint8Array(0);
  const o = emptyMap<{ t: string; s?: string; b?: string }>();
  for (const [k, v] of Object.entries(attrs)) {
    o[k] = v.BinaryValue !== undefined && v.DataType.startsWith('Binary') ? { t: v.DataType, b: Buffer.from(v.BinaryValue).toString('base64') } : { t: v.DataType, s: v.StringValue ?? '' };
  }
  return new Uint8Array(Buffer.from(JSON.stringify(o)));
}

export function decodeAttributes(bytes: Uint8Array): AttributeMap {
  if (bytes.length === 0) return {};
  const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, { t: string; s?: string; b?: string }>;
  const out = emptyMap<AttributeValue>();
  for (const [k, v] of Object.entries(o)) {
    out[k] = v.b !== undefined ? { DataType: v.t, BinaryValue: new Uint8Array(Buffer.from(v.b, 'base64')) } : { DataType: v.t, StringValue: v.s ?? '' };
  }
  return out;
}

/** Which of a message's attributes a receive asked for: 'All', '.*', exact names, 'prefix.*'. */
export function selectAttributes(attrs: AttributeMap, names: string[] | undefined): AttributeMap | undefined {
  if (!names || names.length === 0) return undefined;
  const all = names.some((n) => n === 'All' || n === '.*');
  const out = emptyMap<AttributeValue>();
  for (const [k, v] of Object.entries(attrs)) {
    if (all || names.includes(k) || names.some((n) => n.endsWith('.*') && k.startsWith(n.slice(0, -1)))) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface Receipt {
  queueId: number;
  partition: number;
  seq: number;
  receiveCount: number;
}

const RECEIPT_VERSION = 1;

/** Receipt handles name the queue incarnation, the partition and the receive: opaque to clients. */
export function encodeReceipt(r: Receipt): string {
  const b = Buffer.alloc(23);
  b.writeUInt8(RECEIPT_VERSION, 0);
  b.writeBigUInt64BE(BigInt(r.queueId), 1);
  b.writeUInt16BE(r.partition, 9);
  b.writeBigUInt64BE(BigInt(r.seq), 11);
  b.writeUInt32BE(r.receiveCount, 19);
  return b.toString('base64url');
}

export function decodeReceipt(handle: string): Receipt {
  const invalid = (): AwsError => new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle.length > 100 ? handle.slice(0, 100) + '...' : handle}" is not a valid receipt handle.`);
  if (!/^[A-Za-z0-9_-]{31}$/.test(handle)) throw invalid();
  const b = Buffer.from(handle, 'base64url');
  if (b.length !== 23 || b.readUInt8(0) !== RECEIPT_VERSION) throw invalid();
  return { queueId: Number(b.readBigUInt64BE(1)), partition: b.readUInt16BE(9), seq: Number(b.readBigUInt64BE(11)), receiveCount: b.readUInt32BE(19) };
}
