/**
 * list_servers through a real SDK client over an in-memory transport.
 */
import { describe, expect, it } from 'vitest';

import { formatServerList } from '../../../../src/gateway/tools/list-servers.js';
import type { BackendInfo } from '../../../../src/shared/backend-info.js';
import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory, FakeBackend, textResult } from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

const { connect, callTool } = useInMemorySession();

describe('list_servers', () => {
  it('says how to add a server, and returns an empty list, when none is registered', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('list_servers');

    expect(onlyText(result)).toBe(
      'No servers registered. Use register_server, or start the gateway with --auto-register.',
    );
    expect(result.structuredContent).toEqual({ servers: [], conflicts: [] });
  });

  it('renders every server info as text and returns it unchanged as structuredContent', async () => {
    const weather = new FakeBackend('weather', {
      description: 'US weather',
      command: 'node weather.js',
      tools: { get_alerts: textResult(''), get_forecast: textResult('') },
    });
    const broken = new FakeBackend('broken', {
      state: 'failed',
      command: 'nosuch --flag',
      info: { errors: 2, calls: 5, lastError: 'spawn nosuch ENOENT' },
    });
    await connect(new FakeDirectory([weather, broken]));

    const result = await callTool('list_servers');

    expect(result.structuredContent).toEqual({ servers: [weather.info(), broken.info()], conflicts: [] });
    expect(onlyText(result)).toBe(
      [
        '2 server(s):',
        '',
        'weather [ready] - US weather',
        '  command: node weather.js',
        '  pid: 4242, uptime 1m 1s, calls: 0, errors: 0, restarts: 0',
        '  tools (2): get_alerts, get_forecast',
        '',
        'broken [failed]',
        '  command: nosuch --flag',
        '  pid: -, calls: 5, errors: 2, restarts: 0',
        '  tools (0): none',
        '  last error: spawn nosuch ENOENT',
      ].join('\n'),
    );
  });
});

function info(overrides: Partial<BackendInfo>): BackendInfo {
  return {
    name: 'files',
    state: 'ready',
    description: '',
    command: 'node files.js',
    pid: 100,
    uptimeMs: 0,
    toolCount: 1,
    tools: ['read_file'],
    calls: 0,
    errors: 0,
    restarts: 0,
    nextRetryAt: null,
    skippedLines: 0,
    lastError: null,
    ...overrides,
  };
}

describe('formatServerList', () => {
  it.each([
    [59_999, '59s'],
    [60_000, '1m 0s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 0m'],
    [93_784_000, '26h 3m'],
  ])('shows an uptime of %i ms as %s', (uptimeMs, shown) => {
    const text = formatServerList([info({ uptimeMs })]);

    expect(text.split('\n')[4]).toBe(`  pid: 100, uptime ${shown}, calls: 0, errors: 0, restarts: 0`);
  });

  it('leaves the uptime out for a server that is not running', () => {
    const text = formatServerList([info({ state: 'stopped', pid: null, uptimeMs: null })]);

    expect(text.split('\n')[4]).toBe('  pid: -, calls: 0, errors: 0, restarts: 0');
  });
});
