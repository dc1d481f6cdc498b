import { describe, expect, it } from 'vitest';

import { buildToolCatalog } from '../../../../src/gateway/hub/catalog.js';
import type { Backend } from '../../../../src/shared/backend.js';
import { FakeBackend } from '../../../helpers/fake-directory.js';

const ok = { content: [{ type: 'text' as const, text: 'ok' }] };

function backend(
  name: string,
  tools: string[],
  options: { prefix?: string; state?: 'ready' | 'failed' } = {},
) {
  return new FakeBackend(name, {
    prefix: options.prefix,
    state: options.state,
    tools: Object.fromEntries(tools.map((tool) => [tool, ok])),
  });
}

function names(backends: Backend[], reserved: string[] = []): string[] {
  return [...buildToolCatalog(backends, new Set(reserved)).byName.keys()];
}

describe('the tool catalog', () => {
  it('lists the tools of ready backends only, in registration order', () => {
    expect(
      names([backend('a', ['x', 'y']), backend('b', ['x'], { state: 'failed' }), backend('c', ['z'])]),
    ).toEqual(['a__x', 'a__y', 'c__z']);
  });

  it('gives a clashing name a stable hash suffix and reports who had it first', () => {
    const first = backend('first', ['echo'], { prefix: 'x' });
    const second = backend('second', ['echo'], { prefix: 'x' });
    const catalog = buildToolCatalog([first, second], new Set());
    const [kept, renamed] = [...catalog.byName.values()];
    expect(kept).toMatchObject({ exposedName: 'x__echo', originalName: 'echo' });
    expect(kept?.backend).toBe(first);
    expect(renamed?.exposedName).toMatch(/^x__echo_[0-9a-f]{6}$/);
    expect(renamed?.backend).toBe(second);
    expect(catalog.conflicts).toEqual([
      { server: 'second', name: 'echo', exposedAs: renamed?.exposedName, conflictsWith: 'first' },
    ]);
    expect(names([first, second])).toEqual(names([first, second]));
  });

  it('never gives away a reserved gateway tool name', () => {
    const catalog = buildToolCatalog(
      [backend('s', ['list_servers'], { prefix: '' })],
      new Set(['list_servers']),
    );
    expect([...catalog.byName.keys()]).toEqual([expect.stringMatching(/^list_servers_[0-9a-f]{6}$/)]);
    expect(catalog.conflicts[0]?.conflictsWith).toBe('the gateway');
  });
});
