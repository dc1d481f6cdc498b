/**
 * Minimal edits of a JSON or JSONC text: take a property out, add one to an object. Only those characters change:
 * comments, blank lines, indentation, line endings and the trailing commas of the rest stay as they were.
 * (jsonc-parser's own `modify` reformats the lines around an edit and drops the comments between a removed
 * property and its neighbour, so it only serves here to create an object that is missing.)
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';

import type { JsonPath } from './client-locations.js';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false };

/** How a file indents: its line ending and one level of indentation. */
export interface TextStyle {
  readonly eol: string;
  /** One level: a tab or some spaces. */
  readonly unit: string;
}

/** The style of `text`: CRLF if it has any, and the indentation of its first indented line (default 2 spaces). */
export function detectStyle(text: string): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  return { eol, unit: indent?.startsWith('\t') ? '\t' : ' '.repeat(indent?.length ?? 2) };
}

/** A line holding only a comment: a line comment, or a block comment opened and closed on it. */
const COMMENT_LINE = /^[ \t]*(?:\/\/.*|\/\*.*\*\/[ \t]*)\r?$/;
/** What may follow a property on its last line: nothing, or a comment about it. */
const LINE_TAIL = /^[ \t]*(?:\/\/[^\n]*|\/\*.*\*\/[ \t]*)?\r?\n?$/;

/**
 * `text` without the property at `path` and the comma that separated it. A property with lines of its own takes
 * them whole, with the comment lines right above it and a comment at the end of its last line (they are about
 * it); every other comment stays. An object left with nothing inside becomes `{}`. Unchanged when there is no
 * such property.
 */
export function removeProperty(text: string, path: JsonPath): string {
  const value = findNode(text, path);
  const property = value?.parent;
  const object = property?.parent;
  if (property?.type !== 'property' || object === undefined) return text;
  const siblings = object.children ?? [];
  const index = siblings.indexOf(property);
  const previous = siblings[index - 1];
  const next = siblings[index + 1];
  const closeAt = closingBrace(object);
  const ranges: [number, number][] = [];
  let start = property.offset;
  let end = property.offset + property.length;
  const after = findComma(text, end, next?.offset ?? closeAt);
  if (after !== undefined) {
    end = after + 1;
  } else if (previous !== undefined) {
    // The last property goes: the comma before it would be left trailing, which plain JSON refuses.
    const before = findComma(text, previous.offset + previous.length, property.offset);
    if (before !== undefined) ranges.push([before, before + 1]);
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', end);
  const lineEnd = newline === -1 ? text.length : newline + 1;
  if (/^[ \t]*$/.test(text.slice(lineStart, start)) && LINE_TAIL.test(text.slice(end, lineEnd))) {
    start = lineStart;
    end = lineEnd;
    for (let above = previousLine(text, start); above !== undefined; above = previousLine(text, start)) {
      if (!COMMENT_LINE.test(text.slice(above, start - 1)) || above <= object.offset) break;
      start = above;
    }
  } else {
    while (text[end] === ' ') end += 1;
  }
  ranges.push([start, end]);
  const edits = ranges.map(([offset, stop]) => ({ offset, length: stop - offset, content: '' }));
  const inside = object.offset + 1;
  const left = applyEdits(
    text.slice(inside, closeAt),
    edits.map((edit) => ({ ...edit, offset: edit.offset - inside })),
  );
  if (/^\s*$/.test(left))
    return applyEdits(text, [{ offset: inside, length: closeAt - inside, content: '' }]);
  return applyEdits(text, edits);
}

/** The offset where the line before the one starting at `lineStart` starts; undefined on the first line. */
function previousLine(text: string, lineStart: number): number | undefined {
  if (lineStart === 0) return undefined;
  return text.lastIndexOf('\n', lineStart - 2) + 1;
}

/**
 * `text` with `key: value` added as the last property of the object at `objectPath`, indented like its siblings
 * (with a trailing comma if they have one). The object is created if missing. The caller makes sure `key` is not
 * there already.
 */
export function addProperty(text: string, objectPath: JsonPath, key: string, value: unknown): string {
  const style = detectStyle(text);
  const object = findNode(text, objectPath);
  if (object?.type !== 'object') {
    const formattingOptions = {
      eol: style.eol,
      insertSpaces: style.unit !== '\t',
      tabSize: style.unit === '\t' ? 1 : style.unit.length,
    };
    return applyEdits(text, modify(text, [...objectPath, key], value, { formattingOptions }));
  }
  const last = object.children?.at(-1);
  const closeAt = closingBrace(object);
  if (last === undefined) {
    const outer = leadingWhitespace(text, object.offset);
    const inner = outer + style.unit;
    const interior = text.slice(object.offset + 1, closeAt);
    const content = `${style.eol}${inner}${member(key, value, inner, style)}${style.eol}${outer}`;
    // An empty interior is replaced; one holding comments keeps them after the new property.
    const length = /^\s*$/.test(interior) ? interior.length : 0;
    return applyEdits(text, [{ offset: object.offset + 1, length, content }]);
  }
  const lastEnd = last.offset + last.length;
  const indent = indentationBefore(text, last.offset);
  if (indent === undefined) {
    return applyEdits(text, [
      { offset: lastEnd, length: 0, content: `, ${JSON.stringify(key)}: ${JSON.stringify(value)}` },
    ]);
  }
  const trailing = findComma(text, lastEnd, closeAt);
  const line = `${style.eol}${indent}${member(key, value, indent, style)}`;
  return trailing === undefined
    ? applyEdits(text, [{ offset: lastEnd, length: 0, content: `,${line}` }])
    : applyEdits(text, [{ offset: trailing + 1, length: 0, content: `${line},` }]);
}

function findNode(text: string, path: JsonPath): Node | undefined {
  const root = parseTree(text, [], PARSE_OPTIONS);
  return root === undefined ? undefined : findNodeAtLocation(root, [...path]);
}

/** `"key": value`, the value pretty-printed in the file's style, its lines indented under the key. */
function member(key: string, value: unknown, indent: string, style: TextStyle): string {
  const json = JSON.stringify(value, null, style.unit).split('\n').join(`${style.eol}${indent}`);
  return `${JSON.stringify(key)}: ${json}`;
}

/** Offset of the object's closing brace. */
function closingBrace(object: Node): number {
  return object.offset + object.length - 1;
}

/** The whitespace that starts the line holding `offset`. */
function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** The whitespace before `offset` on its line, or undefined when something else precedes it there. */
function indentationBefore(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The offset of the first comma in `[from, to)` outside comments, if any. */
function findComma(text: string, from: number, to: number): number | undefined {
  for (let index = from; index < to; index += 1) {
    if (text.startsWith('//', index)) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? to : newline;
    } else if (text.startsWith('/*', index)) {
      const close = text.indexOf('*/', index + 2);
      index = close === -1 ? to : close + 1;
    } else if (text[index] === ',') {
      return index;
    }
  }
  return undefined;
}
