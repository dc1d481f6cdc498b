/**
 * The doc tests' own rules, so that a drifting example cannot pass by accident: every code block needs a marker,
 * and the comparisons match what they claim and nothing more.
 */
import { describe, expect, it } from 'vitest';

import { mismatchJson, mismatchText, replacing } from './expect-output.js';
import { parseExamples } from './markdown-examples.js';

const fence = '```';

describe('parseExamples', () => {
  it('reads a marked block, with a blank line between the marker and the fence', () => {
    const page = `text\n\n<!-- doc-test: call list_servers -->\n\n${fence}json\n{}\n${fence}\n`;
    expect(parseExamples(page, 'p.md')).toEqual({
      examples: [{ kind: 'call', args: 'list_servers', line: 3, body: '{}', lang: 'json' }],
      problems: [],
    });
  });

  it('refuses a block without a marker, an unknown kind, and an illustrative block without a reason', () => {
    const page = [
      `${fence}sh`,
      'ls',
      fence,
      '<!-- doc-test: shell -->',
      `${fence}sh`,
      'ls',
      fence,
      '<!-- doc-test: illustrative -->',
      `${fence}text`,
      'x',
      fence,
    ].join('\n');
    expect(parseExamples(page, 'p.md').problems).toEqual([
      'p.md:1: a code block without a doc-test marker',
      'p.md:4: unknown doc-test kind "shell"',
      'p.md:5: a code block without a doc-test marker',
      'p.md:8: an illustrative example needs a reason',
    ]);
  });

  it('reads a directive with the lines after it, and refuses a block kind with no block', () => {
    const page = '<!-- doc-test: flag-table -->\n\n| a |\n| - |\n\n<!-- doc-test: sh -->\n\nprose\n';
    const { examples, problems } = parseExamples(page, 'p.md');
    expect(examples).toEqual([{ kind: 'flag-table', args: '', line: 1, body: '| a |\n| - |', lang: '' }]);
    expect(problems).toEqual(['p.md:6: a "sh" marker must be followed by a code block']);
  });

  it('does not read markers inside a code block', () => {
    const page = `<!-- doc-test: illustrative (a marker shown) -->\n\n${fence}text\n<!-- doc-test: sh -->\n${fence}\n`;
    expect(parseExamples(page, 'p.md').examples).toHaveLength(1);
  });
});

describe('mismatchText', () => {
  it('matches equal text, ignoring trailing spaces and blank lines at the end', () => {
    expect(mismatchText('a\nb', 'a  \nb\n\n')).toBeUndefined();
  });

  it('lets ... stand for text within a line, and a ... line for any number of lines', () => {
    expect(mismatchText('pid: ..., calls: 0', 'pid: 4242, calls: 0')).toBeUndefined();
    expect(mismatchText('first\n...\nlast', 'first\nlast')).toBeUndefined();
    expect(mismatchText('first\n...\nlast', 'first\n1\n2\nlast')).toBeUndefined();
  });

  it('finds a changed score, a missing line and an extra line', () => {
    expect(mismatchText('get_alerts (score 15.55)', 'get_alerts (score 7.413)')).toBeDefined();
    expect(mismatchText('a\nb', 'a')).toBeDefined();
    expect(mismatchText('a', 'a\nb')).toBeDefined();
    expect(mismatchText('pid: ..., calls: 0', 'pid: 4242, calls: 1')).toBeDefined();
  });
});

describe('mismatchJson', () => {
  it('compares values exactly, keys included', () => {
    expect(mismatchJson({ a: 1 }, { a: 1 })).toBeUndefined();
    expect(mismatchJson({ a: 1 }, { a: 2 })).toBe('$.a: expected 1, got 2');
    expect(mismatchJson({ a: 1 }, { a: 1, b: 2 })).toBe('$: keys not shown: b');
    expect(mismatchJson([1, 2], [1, 2, 3])).toBe('$: expected 2 items, got 3');
  });

  it('lets "..." stand for any value, more keys, more items, or text within a string', () => {
    expect(mismatchJson({ pid: '...', '...': '...' }, { pid: 7, uptimeMs: 3 })).toBeUndefined();
    expect(mismatchJson([1, '...'], [1, 2, 3])).toBeUndefined();
    expect(mismatchJson('in force since ...', 'in force since 2026-01-01')).toBeUndefined();
    expect(mismatchJson({ a: '...' }, {})).toBe('$: no key "a"');
  });
});

describe('replacing', () => {
  it('replaces the longest paths first', () => {
    const normalise = replacing([
      ['/tmp/x/project', '/path/to/mcp-gateway'],
      ['/tmp/x/project/home', '/home/me'],
    ]);
    expect(normalise('/tmp/x/project/home/a and /tmp/x/project/b')).toBe(
      '/home/me/a and /path/to/mcp-gateway/b',
    );
  });
});
