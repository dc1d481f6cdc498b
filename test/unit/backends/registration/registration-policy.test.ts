import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import type { Logger, LogFields } from '../../../../src/logger.js';
import {
  createRegistrationPolicy,
  type RegistrationPolicyOptions,
} from '../../../../src/backends/registration/registration-policy.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

interface Line {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const log = (level: string) => (message: string, fields?: LogFields) =>
    lines.push({ level, message, fields });
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
    enabled: () => true,
  };
  return logger;
}

describe('createRegistrationPolicy', () => {
  let dir: string;
  let bin: string;
  let other: string;
  let lines: Line[];

  /** A policy searching only the test's own PATH folders. */
  const policy = (options: Partial<RegistrationPolicyOptions> = {}) => {
    lines = [];
    return createRegistrationPolicy({
      enabled: true,
      logger: recordingLogger(lines),
      searchPath: [bin, other].join(path.delimiter),
      allowlistBaseDir: dir,
      ...options,
    });
  };

  async function executable(file: string): Promise<void> {
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, 0o755);
  }

  beforeAll(async () => {
    dir = await makeTempDir('registration-policy-');
    bin = path.join(dir, 'bin');
    other = path.join(dir, 'other');
    await mkdir(bin);
    await mkdir(other);
    await executable(path.join(bin, 'server'));
    await executable(path.join(other, 'tool'));
    await writeFile(path.join(bin, 'not-executable'), '');
    await symlink(path.join(bin, 'server'), path.join(other, 'alias'));
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('when off, refuses with the reason and how to turn it on, and logs the refusal', async () => {
    const off = policy({ enabled: false, howToEnable: 'Start it with --allow-register.' });
    const refusal = off.authorize({ name: 'x', command: 'server', args: [], baseDir: dir });
    await expect(refusal).rejects.toThrow(/turned off.*Start it with --allow-register\./);
    await expect(refusal).rejects.toBeInstanceOf(GatewayError);
    expect(lines.map((line) => [line.level, line.message, line.fields?.name])).toEqual([
      ['warn', 'register_server refused', 'x'],
    ]);
  });

  it('without an allowlist, lets any command through unchanged and logs name, command and arguments', async () => {
    const open = policy();
    await expect(
      open.authorize({ name: 'x', command: 'anything', args: 'a "b c" ;', baseDir: dir }),
    ).resolves.toBe('anything');
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'register_server: starting a backend',
        fields: { name: 'x', command: 'anything', args: ['a', 'b c', ';'] },
      },
    ]);
  });

  it('with an allowlist, resolves the command on PATH and returns the path it checked', async () => {
    const limited = policy({ allowCommands: ['server'] });
    await expect(limited.authorize({ name: 'x', command: 'server', args: [], baseDir: dir })).resolves.toBe(
      path.join(bin, 'server'),
    );
  });

  it('compares commands by the file they lead to: a symlink to an allowed file is allowed', async () => {
    const limited = policy({ allowCommands: ['./bin/server'] });
    await expect(limited.authorize({ name: 'x', command: 'alias', args: [], baseDir: dir })).resolves.toBe(
      path.join(other, 'alias'),
    );
  });

  it.each([
    ['another executable on PATH', 'tool', 'is not in'],
    ['another executable by path', 'OTHER/tool', 'is not in'],
    ['a file that is not executable', 'not-executable', 'was not found or is not executable'],
    ['a command that does not exist', 'missing', 'was not found or is not executable'],
    ['a relative path to an allowed name elsewhere', './server', 'was not found or is not executable'],
  ])('refuses %s', async (_name, command, message) => {
    const limited = policy({ allowCommands: ['server'] });
    await expect(
      limited.authorize({ name: 'x', command: command.replace('OTHER', other), args: [], baseDir: dir }),
    ).rejects.toThrow(message);
  });

  it('with an empty allowlist, refuses everything', async () => {
    const none = policy({ allowCommands: [] });
    await expect(none.authorize({ name: 'x', command: 'server', args: [], baseDir: dir })).rejects.toThrow(
      'empty: nothing may be registered',
    );
  });

  it('lets a remote URL through without an allowlist, logging it without credentials', async () => {
    const open = policy();
    const url = 'https://user:secret@mcp.example.com/mcp';
    await expect(open.authorize({ name: 'remote', command: url, args: [], baseDir: dir })).resolves.toBe(url);
    expect(JSON.stringify(lines)).toContain('https://mcp.example.com/mcp');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('refuses a remote URL when an allowlist is set', async () => {
    const limited = policy({ allowCommands: ['server'] });
    await expect(
      limited.authorize({ name: 'remote', command: 'https://mcp.example.com/mcp', args: [], baseDir: dir }),
    ).rejects.toThrow('only the local commands it lists may be registered, not a URL');
  });

  it('refuses arguments that cannot be split before resolving anything', async () => {
    await expect(
      policy().authorize({ name: 'x', command: 'server', args: '"unterminated', baseDir: dir }),
    ).rejects.toThrow('cannot split arguments');
  });
});
