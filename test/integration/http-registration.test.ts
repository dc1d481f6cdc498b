import { existsSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  connectStdioGateway,
  startHttpGateway,
  type HttpGateway,
} from '../helpers/gateway-process.js';
import { listDescendants, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ECHO = fixturePath('echo.mjs');

/** The arguments a process was started with (argv after the executable), from /proc. */
function argvOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, -1);
}

describe('register_server over HTTP without --allow-register', () => {
  let gateway: HttpGateway;
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-register-off-');
    gateway = await startHttpGateway([]);
  });

  afterAll(async () => {
    await gateway.stop();
    await removeTempDir(dir);
  });

  it('answers with an error that says how to turn it on, and starts nothing', async () => {
    const markerFile = path.join(dir, 'was-here');
    const client = await gateway.connect();
    const result = await callTool(client, 'register_server', {
      name: 'touch',
      command: '/bin/sh',
      args: ['-c', `touch '${markerFile}'`],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('register_server is turned off');
    expect(textOf(result)).toContain('--allow-register');
    expect(existsSync(markerFile)).toBe(false);
    expect(listDescendants(gateway.child.pid ?? -1)).toEqual([]);
    // The log line and the response travel on different pipes: the log may arrive second.
    await waitFor(() => gateway.stderr().includes('register_server refused'), {
      description: 'the refusal in the log',
    });
  });
});

describe('register_server over HTTP with --allow-register and registration.allowCommands', () => {
  let gateway: HttpGateway;
  let dir: string;
  let markerFile: string;
  let started: number[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('gateway-register-on-');
    markerFile = path.join(dir, 'was-here');
    await mkdir(path.join(dir, 'bin'));
    await symlink('/bin/sh', path.join(dir, 'bin', 'innocent'));
    await symlink(process.execPath, path.join(dir, 'bin', 'node-link'));
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ registration: { allowCommands: [process.execPath] } }));
    gateway = await startHttpGateway(['--allow-register', '--auto-register', config], { cwd: dir });
  });

  afterAll(async () => {
    started = listDescendants(gateway.child.pid ?? -1);
    await gateway.stop();
    await waitForProcessesGone(started, 6000);
    await removeTempDir(dir);
  });

  it.each([
    ['a command not in the list', '/bin/sh'],
    ['a bare name of a command not in the list', 'sh'],
    ['a symlink to a command not in the list', './bin/innocent'],
  ])('refuses %s before starting anything', async (_name, command) => {
    const client = await gateway.connect();
    const result = await callTool(client, 'register_server', {
      name: 'touch',
      command,
      args: ['-c', `touch '${markerFile}'`],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("is not in the gateway's registration.allowCommands");
    expect(existsSync(markerFile)).toBe(false);
    expect(listDescendants(gateway.child.pid ?? -1)).toEqual([]);
  });

  it('refuses a command that does not exist', async () => {
    const client = await gateway.connect();
    const result = await callTool(client, 'register_server', {
      name: 'ghost',
      command: 'no-such-command-here',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('command "no-such-command-here" was not found or is not executable');
  });

  it('passes shell metacharacters in args to the backend as literal arguments, and logs the start', async () => {
    const args = [
      ECHO,
      `; touch '${markerFile}'`,
      `$(touch '${markerFile}')`,
      `\`touch '${markerFile}'\``,
      `| touch '${markerFile}'`,
      `&& touch '${markerFile}'`,
      `> '${markerFile}'`,
      '*',
      '$HOME',
      "'quoted'",
      '',
    ];
    const client = await gateway.connect();
    const registered = await callTool(client, 'register_server', {
      name: 'literal',
      command: process.execPath,
      args,
    });
    expect(registered.isError).toBeFalsy();
    const pid = Number(textOf(await callTool(client, 'call_backend', { server: 'literal', tool: 'pid' })));
    expect(argvOf(pid)).toEqual(args);
    expect(existsSync(markerFile)).toBe(false);
    expect(gateway.stderr()).toContain(
      `register_server: starting a backend ${JSON.stringify({ name: 'literal', command: process.execPath, args })}`,
    );
    await callTool(client, 'remove_server', { name: 'literal' });
  });

  it('splits an argument string as a shell would, without running one', async () => {
    const client = await gateway.connect();
    const registered = await callTool(client, 'register_server', {
      name: 'split',
      command: process.execPath,
      args: `'${ECHO}' ';' 'touch ${markerFile}' $(id) "a b"`,
    });
    expect(registered.isError).toBeFalsy();
    const pid = Number(textOf(await callTool(client, 'call_backend', { server: 'split', tool: 'pid' })));
    expect(argvOf(pid)).toEqual([ECHO, ';', `touch ${markerFile}`, '$(id)', 'a b']);
    expect(existsSync(markerFile)).toBe(false);
    await callTool(client, 'remove_server', { name: 'split' });
  });

  it('allows an allowed executable reached through a symlink, and starts the path it checked', async () => {
    const client = await gateway.connect();
    const registered = await callTool(client, 'register_server', {
      name: 'linked',
      command: './bin/node-link',
      args: [ECHO],
    });
    expect(registered.isError).toBeFalsy();
    const { structuredContent } = await callTool(client, 'list_servers');
    const servers = (structuredContent as { servers: { name: string; command: string }[] }).servers;
    expect(servers.find((server) => server.name === 'linked')?.command).toBe(
      `${path.join(dir, 'bin', 'node-link')} ${ECHO}`,
    );
    await callTool(client, 'remove_server', { name: 'linked' });
  });

  it('registers servers named __proto__ and constructor as plain names', async () => {
    const client = await gateway.connect();
    for (const name of ['__proto__', 'constructor']) {
      const registered = await callTool(client, 'register_server', {
        name,
        command: process.execPath,
        args: [ECHO],
      });
      expect(registered.isError).toBeFalsy();
      const echoed = await callTool(client, 'call_backend', {
        server: name,
        tool: 'echo',
        params: { text: name },
      });
      expect(textOf(echoed)).toBe(name);
    }
    const { structuredContent } = await callTool(client, 'list_servers');
    const names = (structuredContent as { servers: { name: string }[] }).servers.map((server) => server.name);
    expect(names).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
    for (const name of ['__proto__', 'constructor']) {
      expect((await callTool(client, 'remove_server', { name })).isError).toBeFalsy();
    }
  });
});

describe('register_server over stdio', () => {
  it('stays on, limited by the same allowlist', async () => {
    const dir = await makeTempDir('gateway-register-stdio-');
    const markerFile = path.join(dir, 'was-here');
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ registration: { allowCommands: [process.execPath] } }));
    const gateway = await connectStdioGateway(['--auto-register', config]);
    try {
      const refused = await callTool(gateway.client, 'register_server', {
        name: 'touch',
        command: '/bin/sh',
        args: ['-c', `touch '${markerFile}'`],
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('registration.allowCommands');
      expect(existsSync(markerFile)).toBe(false);
      const allowed = await callTool(gateway.client, 'register_server', {
        name: 'echo',
        command: process.execPath,
        args: [ECHO],
      });
      expect(allowed.isError).toBeFalsy();
    } finally {
      const started = listDescendants(gateway.pid);
      await gateway.client.close();
      await waitForProcessesGone([gateway.pid, ...started], 6000);
      await removeTempDir(dir);
    }
  });
});
