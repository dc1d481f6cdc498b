/**
 * Parsing a config file's text, and saying where it breaks when it is not JSON: the line and column, and the line
 * itself with a caret under the column. String values on that line are masked (`"****"`): the line might hold a
 * token, and an error message ends up in logs.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { findJsonErrorOffset } from '../shared/json-error-offset.js';

/** Longest part of a line shown under an error, in characters: minified files are one long line. */
const MAX_SHOWN_CHARS = 100;
const GUTTER_WIDTH = 5;

/** Where an offset of a text lies, lines and columns counted from 1 (a tab is one column). */
export interface TextLocation {
  readonly line: number;
  readonly column: number;
  /** The whole line, without its line break. */
  readonly lineText: string;
}

/**
 * Parses a config file's text (a leading byte-order mark, as some Windows editors write, is skipped). Invalid JSON
 * is a `GatewayError('invalid_config')` described by {@link describeJsonSyntaxError}.
 */
export function parseJsonText(text: string, label: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    // V8's own error may quote the file's text, token included: the cause kept for debugging carries only its gist.
    throw new GatewayError('invalid_config', describeJsonSyntaxError(body, message, label), {
      cause: new SyntaxError(cleanMessage(message)),
    });
  }
}

/**
 * `<label>: not valid JSON at line 7, column 5: Expected double-quoted property name`, then the line and a caret.
 * The position comes from the parser's message (`at position N`); messages without one (`Unexpected token 'x'`,
 * which quote the text instead) are located by scanning the text.
 */
export function describeJsonSyntaxError(text: string, message: string, label: string): string {
  const position = /\bat position (\d+)/.exec(message)?.[1];
  let offset = position === undefined ? (findJsonErrorOffset(text) ?? text.length) : Number(position);
  // The text ends too early: point just past its last character rather than at an empty last line.
  if (offset >= text.length) offset = text.trimEnd().length;
  const { line, column, lineText } = locateOffset(text, offset);
  return [
    `${label}: not valid JSON at line ${line}, column ${column}: ${cleanMessage(message)}`,
    ...showLine(line, column, lineText),
  ].join('\n');
}

/** The line and column of `offset` in `text`. CRLF, LF and a lone CR all end a line; columns count characters. */
export function locateOffset(text: string, offset: number): TextLocation {
  let line = 1;
  let lineStart = 0;
  for (const lineBreak of text.matchAll(/\r\n|\r|\n/g)) {
    const end = lineBreak.index + lineBreak[0].length;
    if (end > offset) break;
    line += 1;
    lineStart = end;
  }
  const rest = text.slice(lineStart);
  const lineText = rest.slice(0, rest.search(/[\r\n]|$/));
  const column = [...lineText.slice(0, Math.max(0, offset - lineStart))].length + 1;
  return { line, column, lineText };
}

/**
 * V8's message without its offset (given as line and column instead), and without the copy of the text it quotes
 * when it has no offset: `Unexpected token 'x', "{"a": x}" is not valid JSON` is `Unexpected token 'x'`. A token
 * that is a line break or another control character is shown escaped.
 */
function cleanMessage(message: string): string {
  const token = /^Unexpected token '(.+?)', (?:\.\.\.)?"/s.exec(message)?.[1];
  if (token !== undefined) return `Unexpected token '${JSON.stringify(token).slice(1, -1)}'`;
  return message.replace(/ in JSON at position \d+.*$/s, '');
}

/** `    7 |     },` and `      |     ^`: the line (values masked, long ones cut around the column) and a caret. */
function showLine(line: number, column: number, lineText: string): string[] {
  const chars = [...maskStringValues(lineText)];
  let start = 0;
  let end = chars.length;
  if (chars.length > MAX_SHOWN_CHARS) {
    start = Math.max(0, Math.min(column - 1 - MAX_SHOWN_CHARS / 2, chars.length - MAX_SHOWN_CHARS));
    end = start + MAX_SHOWN_CHARS;
  }
  const lead = start > 0 ? '…' : '';
  const shown = lead + chars.slice(start, end).join('') + (end < chars.length ? '…' : '');
  // Tabs are copied into the caret's indentation so that it lines up whatever the tab width.
  const indent = chars
    .slice(start, column - 1)
    .map((char) => (char === '\t' ? '\t' : ' '))
    .join('');
  return [
    `${String(line).padStart(GUTTER_WIDTH)} | ${shown}`.trimEnd(),
    `${' '.repeat(GUTTER_WIDTH)} | ${lead === '' ? '' : ' '}${indent}^`,
  ];
}

/**
 * Replaces every character of the string values on a line by `*` (tabs kept, so that columns still line up). Keys
 * stay readable: the strings followed by `:`, or right after `{` (a key missing its colon). A string left open at
 * the end of the line counts as a value.
 */
export function maskStringValues(lineText: string): string {
  const chars = [...lineText];
  let previous = '';
  let index = 0;
  while (index < chars.length) {
    const char = chars[index] ?? '';
    if (char !== '"') {
      if (char !== ' ' && char !== '\t') previous = char;
      index += 1;
      continue;
    }
    let close = index + 1;
    while (close < chars.length && chars[close] !== '"') close += chars[close] === '\\' ? 2 : 1;
    let after = close + 1;
    while (chars[after] === ' ' || chars[after] === '\t') after += 1;
    const isKey = close < chars.length && (chars[after] === ':' || previous === '{');
    if (!isKey) {
      for (let inner = index + 1; inner < Math.min(close, chars.length); inner += 1) {
        if (chars[inner] !== '\t') chars[inner] = '*';
      }
    }
    previous = '"';
    index = close + 1;
  }
  return chars.join('');
}
