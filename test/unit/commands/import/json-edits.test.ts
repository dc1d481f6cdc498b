import { describe, expect, it } from 'vitest';

import { addProperty, detectStyle, removeProperty } from '../../../../src/commands/import/json-edits.js';

const lines = (...text: string[]): string => text.join('\n');

describe('detectStyle', () => {
  it("follows the file's indentation and line endings", () => {
    expect(detectStyle('{\n    "a": 1\n}\n')).toEqual({ eol: '\n', unit: '    ' });
    expect(detectStyle('{\r\n\t"a": 1\r\n}')).toEqual({ eol: '\r\n', unit: '\t' });
    expect(detectStyle('{"a": 1}')).toEqual({ eol: '\n', unit: '  ' });
  });
});

describe('removeProperty', () => {
  const file = lines(
    '{',
    '  // first',
    '  "a": { "command": "x" },',
    '  /* second */',
    '  "b": {',
    '    "command": "y"',
    '  },',
    '  "c": 3 // third',
    '}',
  );

  it('takes out the lines of a property, its comma and the comments about it', () => {
    expect(removeProperty(file, ['a'])).toBe(
      lines('{', '  /* second */', '  "b": {', '    "command": "y"', '  },', '  "c": 3 // third', '}'),
    );
    expect(removeProperty(file, ['b'])).toBe(
      lines('{', '  // first', '  "a": { "command": "x" },', '  "c": 3 // third', '}'),
    );
  });

  it('takes the comma before the last property, leaving no trailing comma', () => {
    expect(removeProperty(file, ['c'])).toBe(
      lines(
        '{',
        '  // first',
        '  "a": { "command": "x" },',
        '  /* second */',
        '  "b": {',
        '    "command": "y"',
        '  }',
        '}',
      ),
    );
  });

  it('keeps comments set apart by a blank line, and comments of the object itself', () => {
    const text = lines('// header', '{', '  // Servers:', '', '  // about a', '  "a": 1,', '  "b": 2', '}');
    expect(removeProperty(text, ['a'])).toBe(lines('// header', '{', '  // Servers:', '', '  "b": 2', '}'));
    expect(removeProperty(text, ['b'])).toBe(
      lines('// header', '{', '  // Servers:', '', '  // about a', '  "a": 1', '}'),
    );
  });

  it('keeps the trailing comma of a file that has them', () => {
    expect(removeProperty(lines('{', '  "a": 1,', '  "b": 2,', '}'), ['b'])).toBe(
      lines('{', '  "a": 1,', '}'),
    );
  });

  it('edits objects written on one line', () => {
    expect(removeProperty('{"a": 1, "b": 2, "c": 3}', ['a'])).toBe('{"b": 2, "c": 3}');
    expect(removeProperty('{"a": 1, "b": 2, "c": 3}', ['b'])).toBe('{"a": 1, "c": 3}');
    expect(removeProperty('{"a": 1, "b": 2, "c": 3}', ['c'])).toBe('{"a": 1, "b": 2 }');
    expect(removeProperty('{ "servers": { "only": {} } }', ['servers', 'only'])).toBe('{ "servers": {} }');
  });

  it('leaves an object that held only the property empty, unless other comments are in it', () => {
    expect(
      removeProperty(lines('{', '  "s": {', '    // about a', '    "a": 1', '  }', '}'), ['s', 'a']),
    ).toBe(lines('{', '  "s": {}', '}'));
    expect(
      removeProperty(lines('{', '  "s": {', '    // keep', '', '    "a": 1', '  }', '}'), ['s', 'a']),
    ).toBe(lines('{', '  "s": {', '    // keep', '', '  }', '}'));
  });

  it('finds keys that hold slashes and dots, and changes nothing when the path is absent', () => {
    const text = '{"projects": {"/w/x.y": {"mcpServers": {"db": 1, "web": 2}}}}';
    expect(removeProperty(text, ['projects', '/w/x.y', 'mcpServers', 'db'])).toBe(
      '{"projects": {"/w/x.y": {"mcpServers": {"web": 2}}}}',
    );
    expect(removeProperty(text, ['projects', '/other', 'mcpServers', 'db'])).toBe(text);
  });

  it('ignores commas inside comments', () => {
    expect(removeProperty(lines('{', '  "a": 1 /* x, y */,', '  "b": 2', '}'), ['a'])).toBe(
      lines('{', '  "b": 2', '}'),
    );
  });
});

describe('addProperty', () => {
  it('adds after the last property, in the file indentation', () => {
    expect(
      addProperty(lines('{', '    "s": {', '        "a": 1', '    }', '}'), ['s'], 'g', { x: [1] }),
    ).toBe(
      lines(
        '{',
        '    "s": {',
        '        "a": 1,',
        '        "g": {',
        '            "x": [',
        '                1',
        '            ]',
        '        }',
        '    }',
        '}',
      ),
    );
  });

  it('keeps a trailing-comma style, tabs and CRLF', () => {
    expect(addProperty('{\r\n\t"s": {\r\n\t\t"a": 1,\r\n\t},\r\n}', ['s'], 'g', { x: 1 })).toBe(
      '{\r\n\t"s": {\r\n\t\t"a": 1,\r\n\t\t"g": {\r\n\t\t\t"x": 1\r\n\t\t},\r\n\t},\r\n}',
    );
  });

  it('fills an empty object, and one holding only comments', () => {
    expect(addProperty(lines('{', '  "s": {}', '}'), ['s'], 'g', 1)).toBe(
      lines('{', '  "s": {', '    "g": 1', '  }', '}'),
    );
    expect(addProperty(lines('{', '  "s": {', '    // none yet', '  }', '}'), ['s'], 'g', 1)).toBe(
      lines('{', '  "s": {', '    "g": 1', '  ', '    // none yet', '  }', '}'),
    );
  });

  it('adds inline to an object written on one line', () => {
    expect(addProperty('{"s": {"a": 1}}', ['s'], 'g', { x: 1 })).toBe('{"s": {"a": 1, "g": {"x":1}}}');
  });

  it('creates the object when it is missing', () => {
    expect(JSON.parse(addProperty('{\n  "editor.fontSize": 14\n}', ['mcp', 'servers'], 'g', 1))).toEqual({
      'editor.fontSize': 14,
      mcp: { servers: { g: 1 } },
    });
  });
});
