/**
 * The MCP Apps of the backends as their tools describe them: which backend a `ui://` resource is of (the first
 * that names it, in registration order), which tools an app may call by their own name, and what changes with the
 * tools.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { uiResourceOf, visibleTo } from '../../../../src/gateway/hub/app-meta.js';
import { AppIndex } from '../../../../src/gateway/hub/app-index.js';
import { FakeBackend, textResult } from '../../../helpers/fake-directory.js';

const ok = textResult('ok');
const withUi = (resourceUri: string, visibility?: string[]): Partial<Tool> => ({
  _meta: { ui: { resourceUri, ...(visibility ? { visibility } : {}) } },
});
const tool = (meta: Record<string, unknown>): Tool => ({
  name: 't',
  inputSchema: { type: 'object' },
  _meta: meta,
});

describe('the MCP Apps metadata of a tool', () => {
  it('names its ui:// resource, in the current form or the deprecated flat one, and nothing else', () => {
    expect(uiResourceOf(tool({ ui: { resourceUri: 'ui://charts/view.html' } }))).toBe(
      'ui://charts/view.html',
    );
    expect(uiResourceOf(tool({ 'ui/resourceUri': 'ui://charts/old.html' }))).toBe('ui://charts/old.html');
    expect(uiResourceOf(tool({ ui: { resourceUri: 'https://charts.example.test/' } }))).toBeUndefined();
    expect(uiResourceOf(tool({ ui: 'ui://not-an-object' }))).toBeUndefined();
    expect(uiResourceOf({ name: 't', inputSchema: { type: 'object' } })).toBeUndefined();
  });

  it('is for the model and the app unless its visibility says otherwise', () => {
    const both = tool({});
    const appOnly = tool({ ui: { visibility: ['app'] } });
    const modelOnly = tool({ ui: { visibility: ['model'] } });

    expect([visibleTo(both, 'model'), visibleTo(both, 'app')]).toEqual([true, true]);
    expect([visibleTo(appOnly, 'model'), visibleTo(appOnly, 'app')]).toEqual([false, true]);
    expect([visibleTo(modelOnly, 'model'), visibleTo(modelOnly, 'app')]).toEqual([true, false]);
  });
});

describe('AppIndex', () => {
  it('links each ui:// resource to the first ready backend whose visible tool names it, and reports clashes', () => {
    const first = new FakeBackend('first', {
      tools: { show: ok, hidden: ok },
      definitions: { show: withUi('ui://shared/view.html'), hidden: withUi('ui://first/hidden.html') },
      toolFilter: { deny: ['hidden'] },
    });
    const second = new FakeBackend('second', {
      tools: { show: ok, own: ok },
      definitions: { show: withUi('ui://shared/view.html'), own: withUi('ui://second/own.html') },
    });
    const stopped = new FakeBackend('stopped', {
      tools: { show: ok },
      definitions: { show: withUi('ui://stopped/view.html') },
    });
    stopped.state = 'failed';

    const index = AppIndex.build([first, second, stopped]);

    expect(index.uiOwner('ui://shared/view.html')).toBe(first);
    expect(index.uiOwner('ui://second/own.html')).toBe(second);
    // A tool the filter holds back links nothing; a backend that is not ready links nothing.
    expect(index.uiOwner('ui://first/hidden.html')).toBeUndefined();
    expect(index.uiOwner('ui://stopped/view.html')).toBeUndefined();
    expect(index.conflicts()).toEqual([
      { uri: 'ui://shared/view.html', keptBy: 'first', others: ['second'] },
    ]);
    expect([index.hasApp(first), index.hasApp(second), index.hasApp(stopped), index.hasApps]).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('finds the tools of every ready backend by their own name, those a filter holds back included', () => {
    const first = new FakeBackend('first', { tools: { refresh: ok }, toolFilter: { allow: [] } });
    const second = new FakeBackend('second', { tools: { refresh: ok, other: ok } });

    const index = AppIndex.build([first, second]);

    expect(index.toolsNamed('refresh').map(({ backend }) => backend.name)).toEqual(['first', 'second']);
    expect(index.toolsNamed('missing')).toEqual([]);
    expect(index.hasApps).toBe(false);
  });
});
