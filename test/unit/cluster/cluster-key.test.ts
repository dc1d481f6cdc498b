import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { clusterSettingsFrom } from '../../../src/cluster/join-if-clustered.js';
import {
  deriveClusterKeys,
  loadClusterKey,
  parseClusterKey,
  replicaIdOf,
} from '../../../src/cluster/cluster-key.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

describe('the cluster key', () => {
  let dir: string;
  const bytes = randomBytes(32);

  beforeAll(async () => {
    dir = await makeTempDir('gateway-cluster-key-');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('reads 32 bytes as hex or base64, and refuses anything else without quoting it', () => {
    expect(parseClusterKey(bytes.toString('hex'), 'K')).toEqual(bytes);
    expect(parseClusterKey(` ${bytes.toString('base64')}\n`, 'K')).toEqual(bytes);
    expect(() => parseClusterKey('abcd', 'K')).toThrow(/K must hold 32 bytes .*openssl rand -hex 32/);
    let message = '';
    try {
      parseClusterKey('not-a-key-at-all!', 'K');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must hold 32 bytes/);
    expect(message).not.toContain('not-a-key');
  });

  it('says how to make one when none is given', async () => {
    await expect(loadClusterKey(undefined, undefined)).rejects.toThrow(
      /needs a cluster key.*openssl rand -hex 32.*MCP_GATEWAY_CLUSTER_KEY.*--cluster-key-file/,
    );
  });

  it('reads a key file only its owner can read', async () => {
    const file = path.join(dir, 'key');
    await writeFile(file, bytes.toString('hex'));
    await chmod(file, 0o644);
    await expect(loadClusterKey(undefined, file)).rejects.toThrow(/mode 644.*chmod 600/);
    await chmod(file, 0o600);
    expect(await loadClusterKey(undefined, file)).toEqual(bytes);
  });

  it('derives distinct keys for sealing and signing', () => {
    const keys = deriveClusterKeys(bytes);
    expect(keys.seal).toHaveLength(32);
    expect(keys.seal.equals(keys.sign)).toBe(false);
    expect(keys.seal.equals(bytes)).toBe(false);
  });

  it('accepts replica ids of letters, digits and "-" only', () => {
    expect(replicaIdOf('gw-7')).toBe('gw-7');
    expect(() => replicaIdOf('gw.7')).toThrow(/MCP_GATEWAY_REPLICA_ID/);
    expect(() => replicaIdOf('')).toThrow(/not valid/);
  });

  it('takes the settings from the flags and the environment, and removes the key from it', () => {
    const env: NodeJS.ProcessEnv = { MCP_GATEWAY_CLUSTER_KEY: 'k', MCP_GATEWAY_REPLICA_ID: 'r9' };
    expect(clusterSettingsFrom({}, { ...env })).toBeUndefined();
    const settings = clusterSettingsFrom({ redis: 'redis://127.0.0.1:6379' }, env);
    expect(settings).toEqual(
      expect.objectContaining({ redisUrl: 'redis://127.0.0.1:6379', key: 'k', replicaId: 'r9' }),
    );
    expect(env.MCP_GATEWAY_CLUSTER_KEY).toBeUndefined();
    expect(clusterSettingsFrom({}, { MCP_GATEWAY_REDIS_URL: 'unix:///tmp/r.sock' })?.redisUrl).toBe(
      'unix:///tmp/r.sock',
    );
  });
});
