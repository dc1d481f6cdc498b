import { describe, expect, it } from 'vitest';

import { formatPipelineOutcome, formatServerList } from '../../../src/gateway/format-results.js';
import type { UpstreamInfo } from '../../../src/gateway/upstream.js';

function info(overrides: Partial<UpstreamInfo>): UpstreamInfo {
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

describe('formatPipelineOutcome', () => {
  it('shows the totals, then each step with its output and, when different, its error', () => {
    const text = formatPipelineOutcome({
      scenario: 'custom',
      ok: false,
      durationMs: 12,
      steps: [
        {
          id: 'one',
          server: 'a',
          tool: 'x',
          status: 'ok',
          durationMs: 3,
          result: { content: [{ type: 'text', text: 'fine' }] },
        },
        {
          id: 'two',
          server: 'b',
          tool: 'y',
          status: 'error',
          durationMs: 4,
          result: { content: [{ type: 'text', text: 'bad input' }], isError: true },
          error: 'bad input',
        },
        { id: 'three', server: 'c', tool: 'z', status: 'error', durationMs: 5, error: 'c.z timed out' },
        {
          id: 'four',
          server: 'c',
          tool: 'w',
          status: 'skipped',
          durationMs: 0,
          error: 'skipped: three did not succeed',
        },
      ],
    });

    expect(text).toBe(
      [
        'Pipeline "custom": 1/4 step(s) succeeded in 12 ms',
        '',
        '## one: a.x - ok (3 ms)',
        'fine',
        '',
        '## two: b.y - error (4 ms)',
        'bad input',
        '',
        '## three: c.z - error (5 ms)',
        'error: c.z timed out',
        '',
        '## four: c.w - skipped (0 ms)',
        'error: skipped: three did not succeed',
      ].join('\n'),
    );
  });
});
