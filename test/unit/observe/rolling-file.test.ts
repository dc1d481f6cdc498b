import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RollingFile } from '../../../src/observe/rolling-file.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

describe('RollingFile', () => {
  let dir: string;
  let file: RollingFile | undefined;

  beforeEach(async () => {
    dir = await makeTempDir('rolling-file-');
  });
  afterEach(async () => {
    file?.close();
    file = undefined;
    await removeTempDir(dir);
  });

  it('appends to what an earlier run left, and counts it toward the size', async () => {
    const name = path.join(dir, 'log.jsonl');
    await writeFile(name, 'a'.repeat(90) + '\n');
    file = RollingFile.open(name, 100, 3);
    file.append('b'.repeat(5) + '\n');
    expect(await readFile(name, 'utf8')).toBe('a'.repeat(90) + '\n' + 'bbbbb\n');
    // 97 + 6 would pass 100: this one starts a new file.
    file.append('c'.repeat(5) + '\n');
    expect(await readFile(name, 'utf8')).toBe('ccccc\n');
    expect(await readFile(`${name}.1`, 'utf8')).toBe('a'.repeat(90) + '\n' + 'bbbbb\n');
  });

  it('shifts the earlier files up and drops the oldest past keep', async () => {
    const name = path.join(dir, 'log.jsonl');
    file = RollingFile.open(name, 10, 2);
    for (const letter of ['a', 'b', 'c', 'd']) file.append(`${letter.repeat(9)}\n`);
    expect((await readdir(dir)).sort()).toEqual(['log.jsonl', 'log.jsonl.1', 'log.jsonl.2']);
    expect(await readFile(name, 'utf8')).toBe('dddddddddd'.slice(1) + '\n');
    expect(await readFile(`${name}.1`, 'utf8')).toBe('ccccccccc\n');
    expect(await readFile(`${name}.2`, 'utf8')).toBe('bbbbbbbbb\n');
  });

  it('keeps a record longer than the size whole, in a file of its own', async () => {
    const name = path.join(dir, 'log.jsonl');
    file = RollingFile.open(name, 10, 1);
    file.append('short\n');
    file.append(`${'x'.repeat(30)}\n`);
    expect(await readFile(name, 'utf8')).toBe(`${'x'.repeat(30)}\n`);
    expect(await readFile(`${name}.1`, 'utf8')).toBe('short\n');
  });

  it('creates the file readable by its owner only', async () => {
    const name = path.join(dir, 'log.jsonl');
    file = RollingFile.open(name, 10, 1);
    file.append('x\n');
    file.append('y'.repeat(10));
    expect((await stat(name)).mode & 0o777).toBe(0o600);
  });

  it('throws the system error of a write the disk refuses', () => {
    file = RollingFile.open('/dev/full', 1024, 1);
    expect(() => file?.append('line\n')).toThrow(expect.objectContaining({ code: 'ENOSPC' }) as unknown);
  });

  it('throws the system error of a file that cannot be opened', async () => {
    const blocker = path.join(dir, 'blocker');
    await writeFile(blocker, '');
    expect(() => RollingFile.open(path.join(blocker, 'log.jsonl'), 10, 1)).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }) as unknown,
    );
  });
});
