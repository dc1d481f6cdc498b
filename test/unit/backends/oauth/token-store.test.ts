import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadStateKey, STATE_KEY_ENV, STATE_KEY_FILE } from '../../../../src/backends/oauth/state-key.js';
import { TOKEN_FILE, TokenStore } from '../../../../src/backends/oauth/token-store.js';
import { expectGatewayError } from '../../../helpers/expect-gateway-error.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

const SECRET = 'access-token-that-must-never-be-stored-in-the-clear';
const HEX_KEY = 'ab'.repeat(32);
let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('token-store-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

describe('the state key', () => {
  it('is made on first use in a file only its owner may read, and read back the same', async () => {
    const first = await loadStateKey(dir, {});
    expect(first).toHaveLength(32);
    expect((await stat(path.join(dir, STATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadStateKey(dir, {})).toEqual(first);
  });

  it('comes from the environment when set, as hex or base64', async () => {
    expect((await loadStateKey(dir, { [STATE_KEY_ENV]: HEX_KEY })).toString('hex')).toBe(HEX_KEY);
    const base64 = Buffer.from(HEX_KEY, 'hex').toString('base64');
    expect((await loadStateKey(dir, { [STATE_KEY_ENV]: base64 })).toString('hex')).toBe(HEX_KEY);
    const error = await expectGatewayError(loadStateKey(dir, { [STATE_KEY_ENV]: 'short' }));
    expect(error.message).toContain('not 32 bytes');
  });

  it('is refused from a key file that others may read', async () => {
    await loadStateKey(dir, {});
    await chmod(path.join(dir, STATE_KEY_FILE), 0o644);
    const error = await expectGatewayError(loadStateKey(dir, {}));
    expect(error.message).toContain('chmod 600');
  });
});

describe('the token store', () => {
  const key = () => loadStateKey(dir, { [STATE_KEY_ENV]: HEX_KEY });

  it('keeps entries encrypted: the file never holds a token, and a new store reads them back', async () => {
    const store = new TokenStore(dir, key);
    await store.update('remote', () => ({ tokens: { access_token: SECRET, token_type: 'Bearer' } }));
    const file = await readFile(path.join(dir, TOKEN_FILE), 'utf8');
    expect(file).not.toContain(SECRET);
    expect((await stat(path.join(dir, TOKEN_FILE))).mode & 0o777).toBe(0o600);
    expect((await new TokenStore(dir, key).get('remote')).tokens?.access_token).toBe(SECRET);
  });

  it('refuses a file changed without the key, or read with another key, without quoting it', async () => {
    await new TokenStore(dir, key).update('remote', () => ({
      tokens: { access_token: SECRET, token_type: 'Bearer' },
    }));
    const other = () => loadStateKey(dir, { [STATE_KEY_ENV]: 'cd'.repeat(32) });
    const wrongKey = await expectGatewayError(new TokenStore(dir, other).get('remote'));
    expect(wrongKey.message).toContain('cannot be decrypted');

    const sealed = JSON.parse(await readFile(path.join(dir, TOKEN_FILE), 'utf8')) as { data: string };
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 1;
    await writeFile(path.join(dir, TOKEN_FILE), JSON.stringify({ ...sealed, data: data.toString('base64') }));
    const tampered = await expectGatewayError(new TokenStore(dir, key).get('remote'));
    expect(tampered.message).toContain('delete the file and authorize the backends again');
    expect(tampered.message).not.toContain(SECRET);
  });

  it('writes nothing when it is not to persist', async () => {
    const store = new TokenStore(dir, key, false);
    await store.update('remote', () => ({ tokens: { access_token: SECRET, token_type: 'Bearer' } }));
    expect((await store.get('remote')).tokens?.access_token).toBe(SECRET);
    await expect(stat(path.join(dir, TOKEN_FILE))).rejects.toThrow();
  });
});
