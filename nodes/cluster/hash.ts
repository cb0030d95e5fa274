// Placement of keys on partitions, shared by every tier that must agree on it: the first four
// bytes of the key's MD5, modulo the partition count.
import { createHash } from 'node:crypto';

export function partitionForKey(key: string | Uint8Array, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}
