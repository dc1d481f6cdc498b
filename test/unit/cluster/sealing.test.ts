import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { openEntry, sealEntry, type RegistryEntry } from '../../../src/cluster/registry-entry.js';
import { open, seal } from '../../../src/cluster/sealing.js';
import { readHeartbeat, signedHeartbeat } from '../../../src/cluster/membership.js';

const key = randomBytes(32);
const entry: RegistryEntry = {
  name: 'weather',
  seq: 7,
  config: { command: '/usr/bin/node', args: ['server.js'], env: { API_TOKEN: 'secret-value' } },
  baseDir: '/srv',
  registeredBy: 'r1',
  at: '2026-12-01T00:00:00.000Z',
};

describe('sealing registry entries', () => {
  it('opens what it sealed, and hides the secrets it holds', () => {
    const sealed = sealEntry(key, entry);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('secret-value');
    expect(sealed).not.toContain('/usr/bin/node');
    expect(openEntry(key, 'weather', sealed)).toEqual(entry);
  });

  it('refuses a value with one byte changed', () => {
    const sealed = seal(key, 'hello', 'n');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    for (const index of [0, 13, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      expect(() => open(key, `v1.${changed.toString('base64')}`, 'n')).toThrow(/does not authenticate/);
    }
  });

  it('refuses a value sealed under another key, or moved under another name', () => {
    const sealed = sealEntry(key, entry);
    expect(() => openEntry(randomBytes(32), 'weather', sealed)).toThrow(/does not authenticate/);
    expect(() => openEntry(key, 'other', sealed)).toThrow(/does not authenticate/);
    expect(() => open(key, 'not sealed', 'weather')).toThrow(/not a sealed value/);
  });

  it('refuses an authentic value that names another server', () => {
    const sealed = seal(key, JSON.stringify({ ...entry, name: 'elsewhere' }), 'weather');
    expect(() => openEntry(key, 'weather', sealed)).toThrow(/names another server/);
  });
});

describe('heartbeats', () => {
  const peer = { id: 'r1', url: 'http://10.0.0.1:8003/mcp', version: '1.0.0', at: '2026-12-01T00:00:00Z' };

  it('reads a heartbeat signed with the key, and nothing else', () => {
    const value = signedHeartbeat(key, peer);
    expect(readHeartbeat(key, value)).toEqual(peer);
    expect(readHeartbeat(randomBytes(32), value)).toBeUndefined();
    const forged = value.replace('10.0.0.1', '10.6.6.6');
    expect(readHeartbeat(key, forged)).toBeUndefined();
    expect(readHeartbeat(key, 'no signature')).toBeUndefined();
  });
});
