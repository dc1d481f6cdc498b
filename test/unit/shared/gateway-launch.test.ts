import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../../helpers/gateway-process.js';
import {
  detectGatewayLaunch,
  GATEWAY_CLI_PATH,
  type LaunchCommand,
} from '../../../src/shared/gateway-launch.js';

const cwd = '/home/alex/work';

function detect(command: string, args: string[] = [], folder = cwd): ReturnType<typeof detectGatewayLaunch> {
  return detectGatewayLaunch({ command, args, cwd: folder });
}

describe('GATEWAY_CLI_PATH', () => {
  it("is this package's dist/cli.js, from the sources as from the build", () => {
    expect(GATEWAY_CLI_PATH).toBe(path.join(PROJECT_ROOT, 'dist', 'cli.js'));
  });
});

describe('detectGatewayLaunch', () => {
  it.each<[string, LaunchCommand]>([
    ['the bin by name', { command: 'mcp-gateway', args: [], cwd }],
    ['the bin by path', { command: '/usr/local/bin/mcp-gateway', args: [], cwd }],
    [
      "npm's Windows shim",
      { command: 'C:\\Users\\alex\\AppData\\Roaming\\npm\\mcp-gateway.cmd', args: [], cwd },
    ],
    ['the package name as a command', { command: 'mcp-multi-server-gateway', args: [], cwd }],
    ['npx with the package', { command: 'npx', args: ['-y', 'mcp-multi-server-gateway'], cwd }],
    ['npx with a version', { command: 'npx', args: ['-y', 'mcp-multi-server-gateway@0.1.0'], cwd }],
    ['npx with a tag', { command: 'npx', args: ['mcp-multi-server-gateway@latest'], cwd }],
    ['npx --package=', { command: 'npx', args: ['--package=mcp-multi-server-gateway', 'mcp-gateway'], cwd }],
    ['npx -p then the bin', { command: 'npx', args: ['-p', 'mcp-multi-server-gateway', 'mcp-gateway'], cwd }],
    ['cmd /c npx on Windows', { command: 'cmd', args: ['/c', 'npx', '-y', 'mcp-multi-server-gateway'], cwd }],
    ['the bin as an argument', { command: 'bunx', args: ['mcp-gateway'], cwd }],
    ['a node_modules/.bin link', { command: 'node', args: ['node_modules/.bin/mcp-gateway'], cwd }],
    [
      'an installed copy',
      { command: 'node', args: ['/usr/lib/node_modules/mcp-multi-server-gateway/dist/cli.js'], cwd },
    ],
    [
      'a checkout of the repository',
      { command: 'node', args: ['/home/alex/src/mcp-gateway/dist/cli.js'], cwd },
    ],
    [
      'an installed copy, Windows path',
      {
        command: 'node.exe',
        args: ['C:\\Users\\alex\\node_modules\\mcp-multi-server-gateway\\dist\\cli.js'],
        cwd: 'C:\\Users\\alex',
      },
    ],
    ["this package's own dist/cli.js", { command: process.execPath, args: [GATEWAY_CLI_PATH], cwd }],
    [
      "this package's own dist/cli.js, relative to cwd",
      { command: 'node', args: ['dist/cli.js'], cwd: PROJECT_ROOT },
    ],
    ['the script run directly', { command: GATEWAY_CLI_PATH, args: [], cwd }],
  ])('recognizes %s', (_title, launch) => {
    expect(detectGatewayLaunch(launch)).toEqual({ launchesGateway: true, autoRegister: undefined });
  });

  it.each<[string, LaunchCommand]>([
    ['another server', { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], cwd }],
    [
      'a folder named like the bin',
      { command: 'npx', args: ['server-filesystem', '/home/alex/src/mcp-gateway'], cwd },
    ],
    ['a file named like the bin', { command: 'cat', args: ['/home/alex/notes/mcp-gateway'], cwd }],
    ['a package whose name contains it', { command: 'npx', args: ['-y', 'mcp-gateway-helper'], cwd }],
    ['a longer package name', { command: 'npx', args: ['mcp-multi-server-gateway-plugin'], cwd }],
    ['another dist/cli.js', { command: 'node', args: ['/home/alex/src/other/dist/cli.js'], cwd }],
    [
      'a relative dist/cli.js elsewhere',
      { command: 'node', args: ['dist/cli.js'], cwd: '/home/alex/src/other' },
    ],
    ['a flag mentioning it', { command: 'node', args: ['server.js', '--name=mcp-gateway'], cwd }],
    ['no arguments', { command: 'node', args: [], cwd }],
  ])('does not take %s for the gateway', (_title, launch) => {
    expect(detectGatewayLaunch(launch)).toEqual({ launchesGateway: false });
  });

  it('recognizes a link to its own script under another name, and not a link to another file', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'gateway-launch-'));
    try {
      const own = path.join(folder, 'cli.js');
      await writeFile(own, '');
      await symlink(own, path.join(folder, 'gw'));
      await writeFile(path.join(folder, 'other.js'), '');
      await symlink(path.join(folder, 'other.js'), path.join(folder, 'other'));
      const launch = (command: string): LaunchCommand => ({ command, args: [], cwd: folder });

      expect(detectGatewayLaunch(launch('./gw'), own)).toEqual({
        launchesGateway: true,
        autoRegister: undefined,
      });
      expect(detectGatewayLaunch(launch('./other'), own)).toEqual({ launchesGateway: false });
      // Neither path exists: only the same path is the same file.
      expect(detectGatewayLaunch(launch('./missing'), path.join(folder, 'absent.js'))).toEqual({
        launchesGateway: false,
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('gives the --auto-register file, resolved against cwd', () => {
    expect(detect('mcp-gateway', ['--auto-register', 'gateway-config.json'])).toEqual({
      launchesGateway: true,
      autoRegister: '/home/alex/work/gateway-config.json',
    });
    expect(detect('mcp-gateway', ['--auto-register', '../shared/config.json'])).toEqual({
      launchesGateway: true,
      autoRegister: '/home/alex/shared/config.json',
    });
    expect(detect('mcp-gateway', ['--auto-register', '/etc/gateway.json'])).toEqual({
      launchesGateway: true,
      autoRegister: '/etc/gateway.json',
    });
  });

  it('reads --auto-register=FILE too, and keeps the last one given', () => {
    expect(detect('npx', ['-y', 'mcp-multi-server-gateway', '--auto-register=a.json'])).toEqual({
      launchesGateway: true,
      autoRegister: '/home/alex/work/a.json',
    });
    expect(
      detect('mcp-gateway', ['--auto-register', 'a.json', '--transport', 'stdio', '--auto-register=b.json']),
    ).toEqual({ launchesGateway: true, autoRegister: '/home/alex/work/b.json' });
  });

  it("reads only the gateway's own arguments, not the wrapper's", () => {
    // The first --auto-register belongs to the wrapper, before the gateway is named.
    expect(
      detect('wrapper', ['--auto-register', 'wrapper.json', 'mcp-gateway', '--log-level', 'debug']),
    ).toEqual({ launchesGateway: true, autoRegister: undefined });
    expect(
      detect('wrapper', ['--auto-register', 'wrapper.json', 'mcp-gateway', '--auto-register', 'g.json']),
    ).toEqual({ launchesGateway: true, autoRegister: '/home/alex/work/g.json' });
  });

  it('gives no file for a flag without a value', () => {
    expect(detect('mcp-gateway', ['--auto-register'])).toEqual({
      launchesGateway: true,
      autoRegister: undefined,
    });
    expect(detect('mcp-gateway', ['--auto-register='])).toEqual({
      launchesGateway: true,
      autoRegister: undefined,
    });
  });

  it('resolves the file the Windows way against a Windows folder', () => {
    expect(
      detectGatewayLaunch({
        command: 'npx',
        args: ['-y', 'mcp-multi-server-gateway', '--auto-register', 'configs\\gateway.json'],
        cwd: 'C:\\Users\\alex',
      }),
    ).toEqual({ launchesGateway: true, autoRegister: 'C:\\Users\\alex\\configs\\gateway.json' });
  });

  it('compares paths to its own script case-insensitively on Windows only', () => {
    const own = 'C:\\Tools\\gw\\dist\\cli.js';
    expect(
      detectGatewayLaunch({ command: 'node', args: ['c:\\tools\\GW\\dist\\cli.js'], cwd: 'C:\\' }, own),
    ).toEqual({ launchesGateway: true, autoRegister: undefined });
    expect(
      detectGatewayLaunch(
        { command: 'node', args: ['/opt/GW/dist/cli.js'], cwd: '/' },
        '/opt/gw/dist/cli.js',
      ),
    ).toEqual({ launchesGateway: false });
  });
});
