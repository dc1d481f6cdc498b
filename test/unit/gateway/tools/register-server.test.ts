/**
 * register_server through a real SDK client over an in-memory transport.
 */
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { IN_MEMORY_BASE_DIR, useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory, FakeBackend, textResult } from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

const { connect, callTool } = useInMemorySession();

describe('register_server', () => {
  it('passes name, command, args, description and the base folder to the directory and renders the result', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name, config) =>
      new FakeBackend(name, {
        command: config.command,
        tools: { read_file: textResult(''), write_file: textResult('') },
      });
    await connect(directory);

    const result = await callTool('register_server', {
      name: 'files',
      command: 'node',
      args: ['server.js', '--root', '/data'],
      description: 'Local files',
    });

    expect(directory.registrations).toEqual([
      {
        name: 'files',
        config: { command: 'node', args: ['server.js', '--root', '/data'], description: 'Local files' },
        options: { baseDir: IN_MEMORY_BASE_DIR },
      },
    ]);
    expect(result.isError).toBeUndefined();
    expect(onlyText(result)).toBe('Registered server "files" (ready) with 2 tool(s): read_file, write_file');
    expect(result.structuredContent).toEqual({
      name: 'files',
      status: 'ready',
      tools: ['read_file', 'write_file'],
    });
  });

  it('passes args given as a string to the directory as the same string', async () => {
    const directory = new FakeDirectory();
    await connect(directory);

    await callTool('register_server', {
      name: 'files',
      command: 'node',
      args: 'server.js --root "/my data"',
    });

    expect(directory.registrations[0]?.config.args).toBe('server.js --root "/my data"');
  });

  it('renders a server that is not ready yet with its state and no tools', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name) => new FakeBackend(name, { state: 'starting' });
    await connect(directory);

    const result = await callTool('register_server', { name: 'slow', command: 'node' });

    expect(onlyText(result)).toBe('Registered server "slow" (starting) with 0 tool(s): none');
    expect(result.structuredContent).toEqual({ name: 'slow', status: 'starting', tools: [] });
  });

  it('rejects an invalid name without asking the directory', async () => {
    const directory = new FakeDirectory();
    await connect(directory);

    const result = await callTool('register_server', { name: 'my server', command: 'node' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid arguments for register_server:\n  at name: a server name is 1 to 32 letters, digits, "_" or "-"',
    );
    expect(directory.registrations).toEqual([]);
  });

  it('reports a duplicate name refused by the directory as an error with its message', async () => {
    const directory = new FakeDirectory([new FakeBackend('files')]);
    await connect(directory);

    const result = await callTool('register_server', { name: 'files', command: 'node' });

    expect(result).toEqual({
      content: [{ type: 'text', text: 'a server named "files" is already registered' }],
      isError: true,
    });
  });

  it('reports a backend that failed to start as an error with the directory message', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name) =>
      Promise.reject(
        new GatewayError('spawn_failed', `server "${name}": cannot start "nosuch": no such file`, {
          backend: name,
        }),
      );
    await connect(directory);

    const result = await callTool('register_server', { name: 'broken', command: 'nosuch' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('server "broken": cannot start "nosuch": no such file');
    expect(directory.list()).toEqual([]);
  });
});
