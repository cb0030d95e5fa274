// JSON values as states pass them between each other.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** AWS measures payloads as UTF-8 bytes of their JSON text. */
export function jsonBytes(v: Json): number {
  return Buffer.byteLength(JSON.stringify(v), 'utf8');
}

/** 256 KiB: the largest input, output or result a state may carry (States.DataLimitExceeded). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
