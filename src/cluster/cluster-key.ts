/**
 * The cluster key: 32 bytes shared by every replica, from the environment or a file only its owner can read. Two
 * keys are derived from it (HKDF), one to seal registry entries and one to sign heartbeats, so that neither use can
 * be turned against the other.
 */
import { hkdfSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

import { GatewayError } from '../errors/gateway-error.js';

/** The Redis URL, when `--redis` is not given. */
export const REDIS_URL_ENV = 'MCP_GATEWAY_REDIS_URL';
/** The cluster key, 32 bytes as hex or base64; read once, then removed from the environment. */
export const CLUSTER_KEY_ENV = 'MCP_GATEWAY_CLUSTER_KEY';
/** This replica's id; default the host name. */
export const REPLICA_ID_ENV = 'MCP_GATEWAY_REPLICA_ID';

/** How a replica joins a cluster. */
export interface ClusterSettings {
  /** `redis://[user:password@]host:port[/db]`, `rediss://...` for TLS, or `unix:///path/to/redis.sock`. */
  readonly redisUrl: string;
  /** The key as given in {@link CLUSTER_KEY_ENV} (hex or base64 of 32 bytes). */
  readonly key?: string | undefined;
  /** A file holding the key (hex or base64), readable by its owner only (mode 0600). */
  readonly keyFile?: string | undefined;
  /** This replica's id (`[A-Za-z0-9-]`, at most 63 characters); default the host name. */
  readonly replicaId?: string | undefined;
  /** The URL other replicas reach this one at; default the listener's. */
  readonly advertiseUrl?: string | undefined;
}

/** What a replica needs to keep secret: the keys derived from the cluster key. */
export interface ClusterKeys {
  /** AES-256-GCM key of registry entries. */
  readonly seal: Buffer;
  /** HMAC-SHA256 key of heartbeats. */
  readonly sign: Buffer;
  /** HMAC-SHA256 key of the header marking a request one replica forwarded to another. */
  readonly hop: Buffer;
}

const KEY_BYTES = 32;
const HOW_TO_MAKE =
  `make one with \`openssl rand -hex 32\` (or \`node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"\`) ` +
  `and give the same key to every replica: in ${CLUSTER_KEY_ENV}, or in a file named by --cluster-key-file (chmod 600)`;

/** The 32 bytes `text` encodes as hex or base64; throws saying what is wrong (never quoting the text). */
export function parseClusterKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]+$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (bytes?.length !== KEY_BYTES) {
    throw new GatewayError(
      'invalid_config',
      `${source} must hold 32 bytes as hex (64 characters) or base64 (44 characters); ${HOW_TO_MAKE}`,
    );
  }
  return bytes;
}

/**
 * The cluster key from `key` (the environment's) or `keyFile`; rejects when there is none, when the file can be
 * read by others than its owner, or when the key is not 32 bytes.
 */
export async function loadClusterKey(key: string | undefined, keyFile: string | undefined): Promise<Buffer> {
  if (key !== undefined && key.trim() !== '') return parseClusterKey(key, CLUSTER_KEY_ENV);
  if (keyFile === undefined) {
    throw new GatewayError(
      'invalid_config',
      `clustering (--redis) needs a cluster key, which seals the shared registry: ${HOW_TO_MAKE}`,
    );
  }
  let mode: number;
  try {
    mode = (await stat(keyFile)).mode;
  } catch (error) {
    throw new GatewayError('invalid_config', `--cluster-key-file ${keyFile}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new GatewayError(
      'invalid_config',
      `--cluster-key-file ${keyFile} can be read by others than its owner (mode ${(mode & 0o777).toString(8)}): ` +
        `run chmod 600 ${keyFile}`,
    );
  }
  return parseClusterKey(await readFile(keyFile, 'utf8'), `--cluster-key-file ${keyFile}`);
}

/** The sealing and signing keys derived from the cluster key. */
export function deriveClusterKeys(master: Buffer): ClusterKeys {
  const derive = (info: string): Buffer =>
    Buffer.from(hkdfSync('sha256', master, 'mcp-gateway-cluster', info, KEY_BYTES));
  return { seal: derive('registry-entries'), sign: derive('heartbeats'), hop: derive('forwarded-requests') };
}

const REPLICA_ID = /^[A-Za-z0-9-]{1,63}$/;

/** This replica's id: `given`, or the host name; throws for one with other characters than letters, digits and "-". */
export function replicaIdOf(given: string | undefined): string {
  const id = given ?? hostname();
  if (!REPLICA_ID.test(id)) {
    throw new GatewayError(
      'invalid_config',
      `replica id ${JSON.stringify(id)} is not valid: use 1 to 63 letters, digits or "-" ` +
        `(set ${REPLICA_ID_ENV}${given === undefined ? '; the default is the host name' : ''})`,
    );
  }
  return id;
}
