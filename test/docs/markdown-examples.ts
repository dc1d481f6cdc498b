/**
 * The examples of a Markdown page, as the doc tests see them. Each example is a fenced code block with a marker on
 * the line before it (blank lines between them are allowed, as Prettier puts one there):
 *
 *     <!-- doc-test: KIND ARGUMENTS -->
 *
 *     ```json
 *     ...
 *     ```
 *
 * A marker with no code block after it (the next non-blank line is not a fence) is a directive that applies to what
 * follows on the page (`gateway`, `flag-table`). A code block without a marker is an error: every example is either
 * tested or marked `illustrative` with a reason. See docs/contributing.md for the kinds.
 */

/** The kinds of examples and directives. */
export const EXAMPLE_KINDS = [
  // Examples, each a code block.
  'config',
  'file',
  'sh',
  'serve',
  'call',
  'client-entry',
  'illustrative',
  // Expectations: a code block compared with what the example before it produced.
  'output',
  'log',
  'result',
  'error-result',
  'structured',
  // Directives: no code block.
  'gateway',
  'flag-table',
] as const;

/** One of {@link EXAMPLE_KINDS}. */
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];

/** Kinds that stand alone, without a code block. */
const DIRECTIVES: ReadonlySet<ExampleKind> = new Set(['gateway', 'flag-table']);

/** A marked code block or a directive. */
export interface DocExample {
  readonly kind: ExampleKind;
  /** The marker's text after the kind. */
  readonly args: string;
  /** 1-based line of the marker. */
  readonly line: number;
  /** The code block's text (without the fences); for a directive, the lines after it up to a blank line. */
  readonly body: string;
  /** The code block's language (`json`, `sh`, `text`...), '' for none or a directive. */
  readonly lang: string;
}

/** A page's examples in order, and what is wrong with its markers. */
export interface PageExamples {
  readonly examples: readonly DocExample[];
  /** `README.md:12: a code block without a doc-test marker`, one per problem. */
  readonly problems: readonly string[];
}

const MARKER = /^\s*<!--\s*doc-test:\s*([\w-]+)\s*(.*?)\s*-->\s*$/;
const FENCE = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;

/** Reads the examples of a page; `name` prefixes problem messages. */
export function parseExamples(markdown: string, name: string): PageExamples {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  const problems: string[] = [];
  let pending: { kind: ExampleKind; args: string; line: number } | undefined;

  const settleDirective = (index: number): void => {
    if (!pending) return;
    if (DIRECTIVES.has(pending.kind)) {
      const body: string[] = [];
      for (let next = index; next < lines.length && (lines[next] ?? '').trim() !== ''; next += 1) {
        body.push(lines[next] ?? '');
      }
      examples.push({ ...pending, body: body.join('\n'), lang: '' });
    } else {
      problems.push(`${name}:${pending.line}: a "${pending.kind}" marker must be followed by a code block`);
    }
    pending = undefined;
  };

  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? '';
    if (text.trim() === '') continue;
    const marker = MARKER.exec(text);
    if (marker) {
      settleDirective(index + 1);
      const kind = marker[1] as ExampleKind;
      if (!EXAMPLE_KINDS.includes(kind)) {
        problems.push(`${name}:${index + 1}: unknown doc-test kind "${marker[1]}"`);
        continue;
      }
      if (kind === 'illustrative' && (marker[2] ?? '') === '') {
        problems.push(`${name}:${index + 1}: an illustrative example needs a reason`);
      }
      pending = { kind, args: marker[2] ?? '', line: index + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (!fence) {
      settleDirective(index);
      continue;
    }
    const close = new RegExp(`^\\s*${fence[1]?.[0] === '`' ? '`' : '~'}{${fence[1]?.length ?? 3},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !close.test(lines[end] ?? '')) body.push(lines[end++] ?? '');
    if (!pending) {
      problems.push(`${name}:${index + 1}: a code block without a doc-test marker`);
    } else if (DIRECTIVES.has(pending.kind)) {
      problems.push(`${name}:${pending.line}: a "${pending.kind}" directive is followed by a code block`);
    } else {
      examples.push({ ...pending, body: body.join('\n'), lang: fence[2] ?? '' });
    }
    pending = undefined;
    index = end;
  }
  settleDirective(lines.length);
  return { examples, problems };
}
