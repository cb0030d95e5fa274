// Access keys for the AWS front: the cluster's root key is created in the meta group at first
// start (from STRATUS_ROOT_ACCESS_KEY_ID/SECRET, or generated, printed once and written to
// DATA_DIR/credentials), and requests are verified against keys read from the meta group.
import { decodeAccessKeyResult, encodeMetaQuery, parseJson } from '../../storage/partitions/meta-codec.js';
import { type CommandPayload } from '../../storage/partitions/envelope.js';
import { encodeMetaCommand } from '../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../cluster/client.js';
import { META_GROUP } from '../cluster/placement.js';
import { OptionError } from '../options.js';
import { type AccessKey, generateAccessKey, rootFromEnv, writeCredentialsFile } from './credentials.js';
import { type Authenticate } from './http.js';
import { verifySigV4 } from './protocols/sigv4.js';

export interface RootKey {
  accessKeyId: string;
  /** Set only when this start created the key, so it is shown exactly once. */
  generatedSecret?: string;
  credentialsFile?: string;
  /** The environment named a different key than the one the cluster already has. */
  envIgnored?: boolean;
}

export async function ensureRootKey(propose: (p: CommandPayload) => Promise<Uint8Array>, dataDir: string, env: NodeJS.ProcessEnv): Promise<RootKey> {
  let fromEnv: ReturnType<typeof rootFromEnv>;
  try {
    fromEnv = rootFromEnv(env);
  } catch (err) {
    // A misconfigured environment is the operator's to fix: one readable line at start-up.
    throw new OptionError(err instanceof Error ? err.message : String(err));
  }
  const candidate = fromEnv ?? generateAccessKey();
  const r = decodeAccessKeyResult(await propose(encodeMetaCommand({ type: 'putRootKey', ...candidate })), parseJson);
  if (!r.ok) throw new Error(`cannot create the root access key: ${r.message}`);
  const created = r.value.accessKeyId === candidate.accessKeyId;
  if (fromEnv) return { accessKeyId: r.value.accessKeyId, ...(created ? {} : { envIgnored: true }) };
  if (!created) return { accessKeyId: r.value.accessKeyId };
  const file = await writeCredentialsFile(dataDir, candidate);
  return { accessKeyId: candidate.accessKeyId, generatedSecret: candidate.secretAccessKey, credentialsFile: file };
}

/**
 * The access key functions are given as their credentials (Lambda hands handlers their execution
 * role's): one per cluster under this id, its secret made by the first node to ask.
 */
export const FUNCTIONS_ACCESS_KEY_ID = 'ASIASTRATUSFUNCTIONS';

export async function ensureFunctionKey(propose: (p: CommandPayload) => Promise<Uint8Array>): Promise<AccessKey> {
  const candidate = { accessKeyId: FUNCTIONS_ACCESS_KEY_ID, secretAccessKey: generateAccessKey().secretAccessKey };
  const r = decodeAccessKeyResult(await propose(encodeMetaCommand({ type: 'putServiceKey', ...candidate })), parseJson);
  if (!r.ok) throw new Error(`cannot create the functions' access key: ${r.message}`);
  return { accessKeyId: r.value.accessKeyId, secretAccessKey: r.value.secretAccessKey };
}

const POSITIVE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 1_000;

/** Verifies SigV4 signatures with secrets read from the meta group, cached briefly. */
export function sigV4Authenticator(client: ClusterClient, now: () => number = Date.now): NonNullable<Authenticate> {
  const cache = new Map<string, { secret: string | undefined; at: number }>();
  const lookup = async (accessKeyId: string): Promise<string | undefined> => {
    const hit = cache.get(accessKeyId);
    if (hit && now() - hit.at < (hit.secret === undefined ? NEGATIVE_TTL_MS : POSITIVE_TTL_MS)) return hit.secret;
    const r = decodeAccessKeyResult(await client.read(META_GROUP, encodeMetaQuery({ type: 'getAccessKey', accessKeyId })), parseJson);
    const secret = r.ok ? r.value.secretAccessKey : undefined;
    if (cache.size > 10_000) cache.clear();
    cache.set(accessKeyId, { secret, at: now() });
    return secret;
  };
  return (req) => verifySigV4(req, lookup, now());
}
