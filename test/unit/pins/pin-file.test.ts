import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';
import { fingerprint } from '../../../src/pins/pin-kinds.js';
import { PinFile, resolveStateDir } from '../../../src/pins/pin-file.js';
import { pinFirstSight, recordPending } from '../../../src/pins/pin-mutations.js';
import { serializePinState } from '../../../src/pins/pin-state.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

let dir: string;
let file: PinFile;

beforeEach(async () => {
  dir = await makeTempDir('gateway-unit-pins-');
  file = new PinFile(path.join(dir, 'state'));
});

afterEach(async () => {
  await removeTempDir(dir);
});

const NOW = '2026-01-02T03:04:05.000Z';
const tool = (name: string, description = `The ${name} tool.`) =>
  fingerprint('tool', { name, description, inputSchema: { type: 'object' } });

async function readError(): Promise<GatewayError> {
  const error: unknown = await file.read().catch((caught: unknown) => caught);
  if (!(error instanceof GatewayError)) throw new Error('expected the read to fail');
  return error;
}

describe('resolveStateDir', () => {
  it('is the flag when given, else .mcp-gateway beside the config, else in the working directory', () => {
    expect(resolveStateDir({ stateDir: 'state', configFile: '/etc/gw/config.json', cwd: '/srv' })).toBe(
      '/srv/state',
    );
    expect(resolveStateDir({ configFile: 'conf/gateway.json', cwd: '/srv' })).toBe('/srv/conf/.mcp-gateway');
    expect(resolveStateDir({ cwd: '/srv' })).toBe('/srv/.mcp-gateway');
  });
});

describe('PinFile', () => {
  it('reads a missing file (and folder) as nothing pinned, without creating anything', async () => {
    expect(await file.read()).toEqual({ version: 1, servers: {} });
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates the folder on the first write, owner-only, and writes the file whole, owner-only, leaving no temporary file', async () => {
    await file.update(pinFirstSight('weather', 'tool', tool('get_alerts'), NOW));

    expect((await stat(file.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(file.dir)).toEqual(['pins.json']);
    const written = await file.read();
    expect(written.servers.weather?.tools?.get_alerts).toMatchObject({
      pinnedAt: NOW,
      hash: tool('get_alerts').hash,
    });
    expect(await readFile(file.path, 'utf8')).toBe(serializePinState(written));
  });

  it('does not write when a change changes nothing', async () => {
    await file.update(pinFirstSight('weather', 'tool', tool('get_alerts'), NOW));
    const before = (await stat(file.path)).mtimeMs;
    await utimes(file.path, new Date(0), new Date(0));
    await file.update(pinFirstSight('weather', 'tool', tool('get_alerts'), '2030-01-01T00:00:00.000Z'));
    expect((await stat(file.path)).mtimeMs).not.toBe(before);
    expect((await stat(file.path)).mtimeMs).toBe(0);
  });

  it('keeps every change when several writers update at once (each re-reads under the lock)', async () => {
    const other = new PinFile(file.dir);
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 === 0 ? file : other).update(pinFirstSight('s', 'tool', tool(`t${index}`), NOW)),
      ),
    );
    expect(Object.keys((await file.read()).servers.s?.tools ?? {}).sort()).toEqual(
      Array.from({ length: 12 }, (_, index) => `t${index}`).sort(),
    );
  });

  it('takes over a lock left behind by a process that died', async () => {
    await mkdir(file.dir, { recursive: true });
    const lock = `${file.path}.lock`;
    await writeFile(lock, '999999\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);

    await file.update(pinFirstSight('weather', 'tool', tool('get_alerts'), NOW));

    expect(await readdir(file.dir)).toEqual(['pins.json']);
  });

  it('refuses a file that is not JSON, naming the place and saying what to do', async () => {
    await mkdir(file.dir);
    await writeFile(file.path, '{\n  "version": 1,\n  "servers": {,\n}');

    const error = await readError();
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain(`pin state file ${file.path}: it is not valid JSON (line 3, column 15)`);
    expect(error.message).toContain('starting afresh would trust every definition again');
    expect(error.message).toContain('remove it to pin every item anew on first sight');
  });

  it('refuses a file of another shape, naming the key', async () => {
    await mkdir(file.dir);
    await writeFile(
      file.path,
      JSON.stringify({ version: 1, servers: { weather: { tools: { x: { hash: 'md5' } } } } }),
    );

    expect((await readError()).message).toContain('it is not a pin state (at servers.weather.tools.x.hash: ');
  });

  it('refuses a file whose hash does not match its definition (edited by hand)', async () => {
    await file.update(pinFirstSight('weather', 'tool', tool('get_alerts'), NOW));
    const state = await file.read();
    const entry = state.servers.weather?.tools?.get_alerts;
    if (!entry) throw new Error('not pinned');
    entry.definition = { ...entry.definition, description: 'Edited.' };
    await writeFile(file.path, serializePinState(state));

    expect((await readError()).message).toContain(
      'at servers.weather.tools.get_alerts: the hash of the definition does not match it (edited by hand?)',
    );
  });

  it('says when the file cannot be read, and never overwrites it', async () => {
    await mkdir(file.path, { recursive: true });
    expect((await readError()).message).toContain('it cannot be read (EISDIR)');
    await expect(file.update(pinFirstSight('weather', 'tool', tool('x'), NOW))).rejects.toThrow('EISDIR');
  });

  it('keeps an item named "__proto__" as an item', async () => {
    await file.update(pinFirstSight('__proto__', 'tool', tool('__proto__'), NOW));
    await file.update(recordPending('__proto__', 'tool', tool('__proto__', 'Changed.'), NOW));

    const state = await file.read();
    expect(Object.keys(state.servers)).toEqual(['__proto__']);
    expect(Object.hasOwn(state.servers.__proto__?.tools ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(state.servers)).toBe(Object.prototype);
  });
});
