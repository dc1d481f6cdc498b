/**
 * The live catalog: what it says changed after the directory changed, and that its derived data (exposed tools,
 * search index) is built once per change, not per request.
 */
import { describe, expect, it } from 'vitest';

import { LiveCatalog } from '../../../../src/gateway/hub/live-catalog.js';
import type { Logger, LogFields } from '../../../../src/logger.js';
import { silentLogger } from '../../../../src/logger.js';
import { FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';

const ok = textResult('ok');

describe('LiveCatalog', () => {
  it('keeps its tools and search index until the tools change, and says what changed', () => {
    const files = new FakeBackend('files', { tools: { read: ok } });
    const directory = new FakeDirectory([files]);
    const catalog = new LiveCatalog(directory, silentLogger, new Set());
    const tools = catalog.tools();
    const index = catalog.searchIndex();

    expect(catalog.refresh()).toEqual({ toolsChanged: false, membershipChanged: false });
    expect(catalog.searchIndex()).toBe(index);
    expect([...catalog.tools().byName.keys()]).toEqual([...tools.byName.keys()]);

    files.setTool('write', ok);
    expect(catalog.refresh()).toEqual({ toolsChanged: true, membershipChanged: false });
    expect(catalog.searchIndex()).not.toBe(index);
    expect([...catalog.tools().byName.keys()]).toEqual(['files__read', 'files__write']);
  });

  it('says the membership changed when a backend becomes ready or stops being ready', () => {
    const db = new FakeBackend('db', { state: 'starting', tools: { q: ok } });
    const catalog = new LiveCatalog(new FakeDirectory([db]), silentLogger, new Set());

    db.state = 'ready';
    expect(catalog.refresh()).toEqual({ toolsChanged: true, membershipChanged: true });
    db.state = 'failed';
    expect(catalog.refresh()).toEqual({ toolsChanged: true, membershipChanged: true });
    expect(catalog.tools().byName.size).toBe(0);
  });

  it('logs each renamed tool when the tools change', () => {
    const warnings: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message: string, _fields?: LogFields) => void warnings.push(message),
    };
    const directory = new FakeDirectory([new FakeBackend('a', { prefix: '', tools: { list_servers: ok } })]);
    const catalog = new LiveCatalog(directory, logger, new Set(['list_servers']));

    directory.add(new FakeBackend('b', { tools: { x: ok } }));
    catalog.refresh();

    expect(warnings).toEqual([
      expect.stringMatching(
        /^tool "list_servers" of "a" is exposed as "list_servers_[0-9a-f]{6}": its name is taken by the gateway$/,
      ),
    ]);
  });

  it('says once, when the tools change, that tools of several backends name the same app resource', () => {
    const warnings: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message: string, _fields?: LogFields) => void warnings.push(message),
    };
    const app = { _meta: { ui: { resourceUri: 'ui://shared/view.html' } } };
    const directory = new FakeDirectory([
      new FakeBackend('a', { tools: { show: ok }, definitions: { show: app } }),
    ]);
    const catalog = new LiveCatalog(directory, logger, new Set());

    directory.add(new FakeBackend('b', { tools: { show: ok }, definitions: { show: app } }));
    catalog.refresh();
    catalog.refresh();

    expect(warnings).toEqual([
      'app resource ui://shared/view.html is named by tools of "a", "b": reads of it go to "a"',
    ]);
    expect(catalog.apps().uiOwner('ui://shared/view.html')?.name).toBe('a');
  });

  it('keeps a resource URI with the backend that listed it first', () => {
    const catalog = new LiveCatalog(
      new FakeDirectory([new FakeBackend('a'), new FakeBackend('b')]),
      silentLogger,
      new Set(),
    );

    expect(catalog.claimResource('file:///x', 'a')).toBeUndefined();
    expect(catalog.claimResource('file:///x', 'b')).toBe('a');
    expect(catalog.claimResource('file:///x', 'a')).toBeUndefined();
    expect(catalog.resourceOwner('file:///x')?.name).toBe('a');
  });
});
