import { execFile } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleServers, callTool, serverPath } from './example-server.js';

const README = 'Sample sandbox.\nPaths outside it are refused.\n';
const TODO = '# To do\n\n- [ ] ship the gateway\n';

describe('filesystem server', () => {
  const servers = new ExampleServers();
  let tempDir: string;
  let box: string;
  let outside: string;
  let client: Client;

  beforeAll(async () => {
    // realpath: os.tmpdir() may itself be a symlink (macOS), and the server reports real paths.
    tempDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'example-filesystem-')));
    box = path.join(tempDir, 'box');
    outside = path.join(tempDir, 'outside');
    await mkdir(path.join(box, 'notes', 'archive'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(box, 'README.txt'), README);
    await writeFile(path.join(box, 'notes', 'todo.md'), TODO);
    await writeFile(path.join(box, 'notes', 'archive', 'old-plan.md'), 'done\n');
    await writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
    await symlink(path.join(outside, 'secret.txt'), path.join(box, 'escape.txt'));
    await symlink(outside, path.join(box, 'escape-dir'));
    await symlink(path.join(outside, 'planted.txt'), path.join(box, 'dangling.txt'));
    await symlink('README.txt', path.join(box, 'readme-link.txt'));
    // The sandbox is given with a detour through `..`: the server must work from its real path.
    client = await servers.start('filesystem', ['--sandbox', path.join(box, 'notes', '..')]);
  });
  afterAll(async () => {
    await servers.closeAll();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('reads files by relative path, absolute path inside the sandbox, and inner symlink', async () => {
    expect(await callTool(client, 'read_file', { path: 'README.txt' })).toEqual({
      isError: false,
      text: README,
      structured: undefined,
    });
    expect((await callTool(client, 'read_file', { path: path.join(box, 'notes', 'todo.md') })).text).toBe(
      TODO,
    );
    expect((await callTool(client, 'read_file', { path: './notes/../readme-link.txt' })).text).toBe(README);
  });

  it('writes files, creating parent folders, and overwrites them', async () => {
    const first = await callTool(client, 'write_file', {
      path: 'reports/2024/summary.txt',
      content: 'Top: Grace Kim\n',
    });
    expect(first).toMatchObject({ isError: false, text: 'Wrote 15 bytes to reports/2024/summary.txt' });
    expect(await readFile(path.join(box, 'reports', '2024', 'summary.txt'), 'utf8')).toBe('Top: Grace Kim\n');

    const second = await callTool(client, 'write_file', {
      path: 'reports/2024/summary.txt',
      content: 'café',
    });
    expect(second.text).toBe('Wrote 5 bytes to reports/2024/summary.txt');
    expect((await callTool(client, 'read_file', { path: 'reports/2024/summary.txt' })).text).toBe('café');
  });

  it('lists a directory with [DIR], [FILE] and [LINK] markers, folders first', async () => {
    const outcome = await callTool(client, 'list_directory', { path: 'notes' });
    expect(outcome).toEqual({
      isError: false,
      text: '[DIR] archive\n[FILE] todo.md',
      structured: {
        path: 'notes',
        entries: [
          { name: 'archive', type: 'directory' },
          { name: 'todo.md', type: 'file' },
        ],
      },
    });
    const root = await callTool(client, 'list_directory', { path: '.' });
    expect(root.text.split('\n')).toEqual(
      expect.arrayContaining(['[DIR] notes', '[FILE] README.txt', '[LINK] escape-dir', '[LINK] escape.txt']),
    );
    expect(root.text.split('\n')[0]).toBe('[DIR] notes');
  });

  it('searches names recursively, case-insensitively, by substring or glob', async () => {
    const glob = await callTool(client, 'search_files', { path: '.', pattern: '*.MD' });
    expect(glob.structured).toEqual({
      matches: ['notes/todo.md', 'notes/archive/old-plan.md'],
      truncated: false,
    });
    expect(glob.text).toBe('notes/todo.md\nnotes/archive/old-plan.md');

    const substring = await callTool(client, 'search_files', { path: 'notes', pattern: 'PLAN' });
    expect(substring.structured).toEqual({ matches: ['notes/archive/old-plan.md'], truncated: false });

    const single = await callTool(client, 'search_files', { path: '.', pattern: 'todo.?d' });
    expect(single.structured).toEqual({ matches: ['notes/todo.md'], truncated: false });
  });

  it('does not follow symlinks out of the sandbox while searching', async () => {
    const outcome = await callTool(client, 'search_files', { path: '.', pattern: 'secret' });
    expect(outcome).toEqual({
      isError: false,
      text: 'No matches for "secret"',
      structured: { matches: [], truncated: false },
    });
  });

  it('reports file and folder information', async () => {
    await chmod(path.join(box, 'notes', 'todo.md'), 0o640);
    const stats = await stat(path.join(box, 'notes', 'todo.md'));
    const file = await callTool(client, 'get_file_info', { path: 'notes/todo.md' });
    expect(file.structured).toEqual({
      path: 'notes/todo.md',
      type: 'file',
      size: Buffer.byteLength(TODO),
      created: stats.birthtime.toISOString(),
      modified: stats.mtime.toISOString(),
      accessed: stats.atime.toISOString(),
      permissions: 'rw-r-----',
      mode: '640',
    });
    expect(file.text).toContain(`size: ${Buffer.byteLength(TODO)} bytes`);
    expect(file.text).toContain('permissions: rw-r----- (640)');

    const folder = await callTool(client, 'get_file_info', { path: 'notes' });
    expect(folder.structured).toMatchObject({ path: 'notes', type: 'directory' });
  });

  it.each([
    ['read_file', { path: '../outside/secret.txt' }],
    ['read_file', { path: 'notes/../../outside/secret.txt' }],
    ['read_file', { path: '/etc/hostname' }],
    ['read_file', { path: 'escape.txt' }],
    ['read_file', { path: 'escape-dir/secret.txt' }],
    ['write_file', { path: '../outside/planted.txt', content: 'x' }],
    ['write_file', { path: 'escape-dir/planted.txt', content: 'x' }],
    ['write_file', { path: 'escape-dir/new/folder/planted.txt', content: 'x' }],
    ['write_file', { path: 'dangling.txt', content: 'x' }],
    ['list_directory', { path: '..' }],
    ['list_directory', { path: 'escape-dir' }],
    ['search_files', { path: '..', pattern: 'secret' }],
    ['get_file_info', { path: 'escape.txt' }],
  ])('%s refuses %j as outside the sandbox', async (tool, args) => {
    const outcome = await callTool(client, tool, args);
    expect(outcome).toEqual({
      isError: true,
      text: `Access denied: ${args.path} is outside the sandbox`,
      structured: undefined,
    });
  });

  it('refuses absolute paths outside the sandbox, including its own parent folder', async () => {
    const target = path.join(outside, 'secret.txt');
    expect((await callTool(client, 'read_file', { path: target })).text).toBe(
      `Access denied: ${target} is outside the sandbox`,
    );
    expect((await callTool(client, 'list_directory', { path: tempDir })).text).toBe(
      `Access denied: ${tempDir} is outside the sandbox`,
    );
  });

  it('wrote nothing outside the sandbox', async () => {
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('reports missing files and wrong entry types as error results', async () => {
    expect(await callTool(client, 'read_file', { path: 'missing.txt' })).toMatchObject({
      isError: true,
      text: 'missing.txt does not exist',
    });
    expect(await callTool(client, 'read_file', { path: 'notes' })).toMatchObject({
      isError: true,
      text: 'notes is a directory; use list_directory',
    });
    expect(await callTool(client, 'list_directory', { path: 'README.txt' })).toMatchObject({
      isError: true,
      text: 'README.txt is not a directory',
    });
    expect(await callTool(client, 'write_file', { path: 'notes', content: 'x' })).toMatchObject({
      isError: true,
      text: 'notes is a directory; give a file path',
    });
  });
});

describe('filesystem server on the bundled examples/sandbox', () => {
  const servers = new ExampleServers();
  const sampleSandbox = fileURLToPath(new URL('../../examples/sandbox/', import.meta.url));

  afterAll(() => servers.closeAll());

  it('lists and reads the sample files', async () => {
    const client = await servers.start('filesystem', ['--sandbox', sampleSandbox]);
    expect((await callTool(client, 'list_directory', { path: '.' })).text).toBe(
      '[DIR] notes\n[FILE] README.txt',
    );
    const todo = await callTool(client, 'read_file', { path: 'notes/todo.md' });
    expect(todo.text).toBe(await readFile(path.join(sampleSandbox, 'notes', 'todo.md'), 'utf8'));
    expect(todo.text.startsWith('# To do')).toBe(true);
    const markdown = await callTool(client, 'search_files', { path: '.', pattern: '*.md' });
    expect(markdown.structured).toEqual({ matches: ['notes/todo.md'], truncated: false });
  });
});

describe('filesystem server startup', () => {
  const run = promisify(execFile);

  it('exits with usage help when --sandbox is missing', async () => {
    await expect(run(process.execPath, [serverPath('filesystem')])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--sandbox <dir> is required') as unknown,
    });
  });

  it('exits when the sandbox folder does not exist', async () => {
    const missing = path.join(os.tmpdir(), 'example-filesystem-missing', 'nowhere');
    await expect(
      run(process.execPath, [serverPath('filesystem'), '--sandbox', missing]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`cannot use sandbox ${missing}`) as unknown,
    });
  });
});
