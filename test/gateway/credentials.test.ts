import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateAccessKey, rootFromEnv, writeCredentialsFile } from '../../nodes/gateway/credentials.js';

describe('generateAccessKey', () => {
  it('makes AWS-shaped, distinct keys that rootFromEnv accepts back', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = generateAccessKey();
      expect(k.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(k.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
      seen.add(k.accessKeyId);
      expect(rootFromEnv({ STRATUS_ROOT_ACCESS_KEY_ID: k.accessKeyId, STRATUS_ROOT_SECRET_ACCESS_KEY: k.secretAccessKey })).toEqual(k);
    }
    expect(seen.size).toBe(200);
  });
});

describe('rootFromEnv', () => {
  const id = 'AKIAIOSFODNN7EXAMPLE';
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('is undefined when neither variable is set (or both are empty)', () => {
    expect(rootFromEnv({})).toBeUndefined();
    expect(rootFromEnv({ STRATUS_ROOT_ACCESS_KEY_ID: '', STRATUS_ROOT_SECRET_ACCESS_KEY: '' })).toBeUndefined();
  });

  it('reads both', () => {
    expect(rootFromEnv({ STRATUS_ROOT_ACCESS_KEY_ID: id, STRATUS_ROOT_SECRET_ACCESS_KEY: secret })).toEqual({ accessKeyId: id, secretAccessKey: secret });
  });

  it('names the missing half', () => {
    expect(() => rootFromEnv({ STRATUS_ROOT_ACCESS_KEY_ID: id })).toThrow(/^STRATUS_ROOT_SECRET_ACCESS_KEY is not set but STRATUS_ROOT_ACCESS_KEY_ID is/);
    expect(() => rootFromEnv({ STRATUS_ROOT_SECRET_ACCESS_KEY: secret })).toThrow(/^STRATUS_ROOT_ACCESS_KEY_ID is not set but STRATUS_ROOT_SECRET_ACCESS_KEY is/);
  });

  it('checks the formats without echoing the secret', () => {
    const env = (i: string, s: string): NodeJS.ProcessEnv => ({ STRATUS_ROOT_ACCESS_KEY_ID: i, STRATUS_ROOT_SECRET_ACCESS_KEY: s });
    expect(() => rootFromEnv(env('AKIASHORT', secret))).toThrow(/STRATUS_ROOT_ACCESS_KEY_ID must be 16 to 128 characters.*it has 9/);
    expect(() => rootFromEnv(env('A'.repeat(129), secret))).toThrow(/it has 129/);
    expect(() => rootFromEnv(env('akiaiosfodnn7example', secret))).toThrow(/each A-Z or 0-9.*characters other than A-Z and 0-9/);
    expect(() => rootFromEnv(env(id, 'short-secret'))).toThrow('STRATUS_ROOT_SECRET_ACCESS_KEY must be at least 16 characters long; it has 12');
    const spaced = 'has a space in the middle';
    let message = '';
    try {
      rootFromEnv(env(id, spaced));
    } catch (e) {
      message = e instanceof Error ? e.message : '';
    }
    expect(message).toMatch(/STRATUS_ROOT_SECRET_ACCESS_KEY must be printable ASCII without spaces/);
    expect(message).not.toContain(spaced);
    expect(rootFromEnv(env('A'.repeat(128), 'x'.repeat(16)))).toBeDefined();
  });
});

describe('writeCredentialsFile', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratus-credentials-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the shared-credentials format with mode 0600 and leaves no temp file', async () => {
    const key = generateAccessKey();
    const path = await writeCredentialsFile(dir, key);
    expect(path).toBe(join(dir, 'credentials'));
    expect(await readFile(path, 'utf8')).toBe(`[default]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['credentials']);
  });

  it('replaces an earlier file, which then gets mode 0600 too', async () => {
    await writeFile(join(dir, 'credentials'), 'old', { mode: 0o644 });
    const key = generateAccessKey();
    const path = await writeCredentialsFile(dir, key);
    expect(await readFile(path, 'utf8')).toContain(key.secretAccessKey);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory', async () => {
    const path = await writeCredentialsFile(join(dir, 'a', 'b'), generateAccessKey());
    expect((await stat(path)).isFile()).toBe(true);
  });

  it('refuses values that would break the file', async () => {
    await expect(writeCredentialsFile(dir, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x\n[evil]' })).rejects.toThrow(/line break/);
    expect(await readdir(dir)).toEqual([]);
  });
});
