// Published versions: immutable copies of $LATEST with their own number and ARN.
import { randomUUID } from 'node:crypto';
import { lastModified } from './config.js';
import { type FunctionDoc, type VersionConfig } from './model.js';

export function publishedVersion(latest: VersionConfig, n: number, description: string): VersionConfig {
  return { ...structuredClone(latest), version: String(n), description, lastModified: lastModified(), revisionId: randomUUID() };
}

/**
 * Publishes $LATEST as the next version, unless the newest version already has the same code
 * and configuration (Lambda then returns that version instead of a new one).
 */
export function publish(doc: FunctionDoc, description: string): VersionConfig {
  const newest = doc.versions[doc.versions.length - 1];
  if (newest && sameContent(newest, doc.latest)) return newest;
  const v = publishedVersion(doc.latest, doc.nextVersion, description || doc.latest.description);
  doc.versions.push(v);
  doc.nextVersion++;
  return v;
}

function sameContent(a: VersionConfig, b: VersionConfig): boolean {
  const strip = (v: VersionConfig): string => JSON.stringify({ ...v, version: '', description: '', lastModified: '', revisionId: '' });
  return strip(a) === strip(b);
}
