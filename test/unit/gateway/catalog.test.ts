import { describe, expect, it } from 'vitest';

import { buildToolCatalog } from '../../../src/gateway/catalog.js';
import type { Upstream } from '../../../src/gateway/upstream.js';
import { FakeUpstream } from './fake-directory.js';

const ok = { content: [{ type: 'text' as const, text: 'ok' }] };

function upstream(
  name: string,
  tools: string[],
  options: { prefix?: string; state?: 'ready' | 'failed' } = {},
) {
  return new FakeUpstream(name, {
    prefix: options.prefix,
    state: options.state,
    tools: Object.fromEntries(tools.map((tool) => [tool, ok])),
  });
}

function names(upstreams: Upstream[], reserved: string[] = []): string[] {
  return [...buildToolCatalog(upstreams, new Set(reserved)).byName.keys()];
}

describe('the tool catalog', () => {
  it('lists the tools of ready backends only, in registration order', () => {
    expect(
      names([upstream('a', ['x', 'y']), upstream('b', ['x'], { state: 'failed' }), upstream('c', ['z'])]),
    ).toEqual(['a__x', 'a__y', 'c__z']);
  });

  it('gives a clashing name a stable hash suffix and reports who had it first', () => {
    const first = upstream('first', ['echo'], { prefix: 'x' });
    const second = upstream('second', ['echo'], { prefix: 'x' });
    const catalog = buildToolCatalog([first, second], new Set());
    const [kept, renamed] = [...catalog.byName.values()];
    expect(kept).toMatchObject({ exposedName: 'x__echo', originalName: 'echo' });
    expect(kept?.upstream).toBe(first);
    expect(renamed?.exposedName).toMatch(/^x__echo_[0-9a-f]{6}$/);
    expect(renamed?.upstream).toBe(second);
    expect(catalog.conflicts).toEqual([
      { server: 'second', name: 'echo', exposedAs: renamed?.exposedName, conflictsWith: 'first' },
    ]);
    expect(names([first, second])).toEqual(names([first, second]));
  });

  it('never gives away a reserved gateway tool name', () => {
    const catalog = buildToolCatalog(
      [upstream('s', ['list_servers'], { prefix: '' })],
      new Set(['list_servers']),
    );
    expect([...catalog.byName.keys()]).toEqual([expect.stringMatching(/^list_servers_[0-9a-f]{6}$/)]);
    expect(catalog.conflicts[0]?.conflictsWith).toBe('the gateway');
  });
});
