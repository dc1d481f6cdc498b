import { describe, expect, it } from 'vitest';

import {
  describeJsonSyntaxError,
  locateOffset,
  maskStringValues,
  parseJsonText,
} from '../../../src/config/json-syntax.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';

/** The message `parseJsonText` fails with on `text`. */
function syntaxError(text: string): string {
  let caught: unknown;
  try {
    parseJsonText(text, 'gateway-config.json');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GatewayError);
  expect((caught as GatewayError).code).toBe('invalid_config');
  expect((caught as GatewayError).cause).toBeInstanceOf(SyntaxError);
  return (caught as GatewayError).message;
}

describe('parseJsonText', () => {
  it('parses valid JSON, skipping a byte-order mark', () => {
    expect(parseJsonText('{"servers": {}}', 'x')).toEqual({ servers: {} });
    expect(parseJsonText('\uFEFF{"a": 1}', 'x')).toEqual({ a: 1 });
  });

  it('shows the line and a caret under the column (a trailing comma)', () => {
    const text = ['{', '  "servers": {', '    "a": { "command": "node" },', '  },', '}'].join('\n');

    expect(syntaxError(text)).toBe(
      [
        'gateway-config.json: not valid JSON at line 4, column 3: Expected double-quoted property name',
        '    4 |   },',
        '      |   ^',
      ].join('\n'),
    );
  });

  it('locates an error on the first line', () => {
    expect(syntaxError('{"a" 1}')).toBe(
      [
        "gateway-config.json: not valid JSON at line 1, column 6: Expected ':' after property name",
        '    1 | {"a" 1}',
        '      |      ^',
      ].join('\n'),
    );
  });

  it('counts lines the same with CRLF line breaks', () => {
    const text = '{\r\n  "a": 1\r\n  "b": 2\r\n}\r\n';

    expect(syntaxError(text)).toBe(
      [
        "gateway-config.json: not valid JSON at line 3, column 3: Expected ',' or '}' after property value",
        '    3 |   "b": 2',
        '      |   ^',
      ].join('\n'),
    );
  });

  it('keeps tabs in the caret line, so that it lines up whatever the tab width', () => {
    const text = '{\n\t"a":\t1,\n\t\t,\n}';

    expect(syntaxError(text)).toBe(
      [
        'gateway-config.json: not valid JSON at line 3, column 3: Expected double-quoted property name',
        '    3 | \t\t,',
        '      | \t\t^',
      ].join('\n'),
    );
  });

  it('points just past the last character when the text ends too early', () => {
    const text = '{\n  "servers": {\n    "a": { "command": "node" }\n\n';

    expect(syntaxError(text)).toBe(
      [
        "gateway-config.json: not valid JSON at line 3, column 31: Expected ',' or '}' after property value",
        '    3 |     "a": { "command": "****" }',
        '      |                               ^',
      ].join('\n'),
    );
  });

  it('reports an empty file at line 1, column 1', () => {
    expect(syntaxError('')).toBe(
      [
        'gateway-config.json: not valid JSON at line 1, column 1: Unexpected end of JSON input',
        '    1 |',
        '      | ^',
      ].join('\n'),
    );
  });

  it("locates errors whose message has no position, without quoting V8's copy of the text", () => {
    const text = '{\n  "env": { "TOKEN": "abc" },\n  "x": tru\n}';

    expect(syntaxError(text)).toBe(
      [
        "gateway-config.json: not valid JSON at line 3, column 11: Unexpected token '\\n'",
        '    3 |   "x": tru',
        '      |           ^',
      ].join('\n'),
    );
  });

  it('locates a comment, which JSON does not allow', () => {
    expect(syntaxError('{\n  // servers\n  "servers": {}\n}')).toBe(
      [
        "gateway-config.json: not valid JSON at line 2, column 3: Expected property name or '}'",
        '    2 |   // servers',
        '      |   ^',
      ].join('\n'),
    );
  });

  it('masks the string values of the line shown, which might be secrets', () => {
    const message = syntaxError('{"headers": {"Authorization": "Bearer s3cr3t"} "x": 1}');

    expect(message).not.toContain('s3cr3t');
    expect(message).toContain('{"headers": {"Authorization": "*************"} "x": 1}');
  });

  it("keeps V8's copy of the text out of the error's cause too", () => {
    let caught: unknown;
    try {
      parseJsonText('{"env": {"TOKEN": "s3cr3t"}, "x": tru}', 'f');
    } catch (error) {
      caught = error;
    }

    expect((caught as GatewayError).cause).toEqual(new SyntaxError("Unexpected token '}'"));
  });

  it('cuts a long line around the column', () => {
    const pairs = '"k": 1, '.repeat(30);
    const text = `{${pairs}"x" 1, ${pairs}}`;

    const lines = syntaxError(text).split('\n');

    // V8's own words differ between Node versions ("Unexpected number", "Expected ':' after property name").
    expect(lines[0]).toMatch(/^gateway-config\.json: not valid JSON at line 1, column 246: \S/);
    // The caret's column, 246, is the 51st of the 100 characters shown (195 to 294); "x" is not followed by ":".
    expect(lines[1]).toBe(`    1 | …${text.replace('"x"', '"*"').slice(195, 295)}…`);
    expect(lines[2]).toBe(`      | ${' '.repeat(51)}^`);
  });
});

describe('describeJsonSyntaxError', () => {
  it('uses the position in the message', () => {
    expect(describeJsonSyntaxError('[1,\n2,\n3x]', 'Unexpected thing in JSON at position 8', 'f')).toBe(
      ['f: not valid JSON at line 3, column 2: Unexpected thing', '    3 | 3x]', '      |  ^'].join('\n'),
    );
  });
});

describe('locateOffset', () => {
  it.each([
    ['abc', 0, 1, 1, 'abc'],
    ['abc', 3, 1, 4, 'abc'],
    ['a\nbc', 2, 2, 1, 'bc'],
    ['a\r\nbc', 3, 2, 1, 'bc'],
    ['a\r\nbc', 1, 1, 2, 'a'],
    ['a\r\nbc', 2, 1, 2, 'a'],
    ['a\rbc\rd', 4, 2, 3, 'bc'],
    ['a\n', 2, 2, 1, ''],
    ['é😀x', 3, 1, 3, 'é😀x'],
  ])('places offset %j:%d at line %d, column %d', (text, offset, line, column, lineText) => {
    expect(locateOffset(text, offset)).toEqual({ line, column, lineText });
  });
});

describe('maskStringValues', () => {
  it.each([
    ['"key": "value",', '"key": "*****",'],
    ['"key" :\t"v"', '"key" :\t"*"'],
    ['["a", "b\\"c"]', '["*", "****"]'],
    ['"open', '"****'],
    ['"a\tb"', '"*\t*"'],
    ['  }, ', '  }, '],
    ['{"a" 1}', '{"a" 1}'],
    ['{ "a" "b"', '{ "a" "*"'],
    ['"a" "b"', '"*" "*"'],
  ])('masks %j as %j', (line, masked) => {
    expect(maskStringValues(line)).toBe(masked);
  });
});
