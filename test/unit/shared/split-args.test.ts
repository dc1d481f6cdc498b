import { describe, expect, it } from 'vitest';

import { splitArgs } from '../../../src/shared/split-args.js';

describe('splitArgs', () => {
  it('gives no arguments for undefined and for an empty or blank string', () => {
    expect(splitArgs(undefined)).toEqual([]);
    expect(splitArgs('')).toEqual([]);
    expect(splitArgs('  \t ')).toEqual([]);
  });

  it('splits on runs of whitespace', () => {
    expect(splitArgs('  server.js   --port\t8080\n--verbose ')).toEqual([
      'server.js',
      '--port',
      '8080',
      '--verbose',
    ]);
  });

  it('keeps quoted spaces in one word, without the quotes', () => {
    expect(splitArgs(`--db "my data.db" --name 'a b' "" x`)).toEqual([
      '--db',
      'my data.db',
      '--name',
      'a b',
      '',
      'x',
    ]);
  });

  it('joins quoted and unquoted parts of one word', () => {
    expect(splitArgs(`--root="/srv/my files"/sub 'a'"b"c`)).toEqual(['--root=/srv/my files/sub', 'abc']);
  });

  it('honours backslash escapes outside quotes and inside double quotes, not inside single quotes', () => {
    expect(splitArgs(String.raw`a\ b "c\"d" 'e\f' "g\\h"`)).toEqual([
      'a b',
      'c"d',
      String.raw`e\f`,
      String.raw`g\h`,
    ]);
  });

  it('keeps shell metacharacters as literal characters of their words', () => {
    expect(splitArgs('a|b $(x) ; c && d > out.txt `id` *.js $HOME')).toEqual([
      'a|b',
      '$(x)',
      ';',
      'c',
      '&&',
      'd',
      '>',
      'out.txt',
      '`id`',
      '*.js',
      '$HOME',
    ]);
  });

  it('does not treat # as the start of a comment', () => {
    expect(splitArgs('--color #fff a#b')).toEqual(['--color', '#fff', 'a#b']);
  });

  it('does not expand variables inside double quotes', () => {
    expect(splitArgs('"$HOME/data" "$(whoami)"')).toEqual(['$HOME/data', '$(whoami)']);
  });

  it.each([`--name "unterminated`, `--name 'unterminated`, 'trailing\\'])(
    'throws on an unterminated quote or escape, quoting the input: %s',
    (input) => {
      expect(() => splitArgs(input)).toThrow(`cannot split arguments ${JSON.stringify(input)}: `);
    },
  );

  it('keeps the splitter error as the cause', () => {
    let caught: unknown;
    try {
      splitArgs('"open');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).cause).toBeInstanceOf(Error);
    expect((caught as Error).message).toContain(((caught as Error).cause as Error).message);
  });

  it('returns a copy of an array, with the same words, untouched', () => {
    const args = ['a b', '$(x)', '"quoted"'];

    const result = splitArgs(args);

    expect(result).toEqual(['a b', '$(x)', '"quoted"']);
    expect(result).not.toBe(args);
    result.push('more');
    expect(args).toEqual(['a b', '$(x)', '"quoted"']);
  });
});
