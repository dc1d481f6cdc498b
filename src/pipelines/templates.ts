/**
 * The template language of pipeline step params. Small on purpose, and never evaluated as code: a reference is a
 * path into the pipeline's input or into the result of an earlier step, nothing else.
 *
 * Grammar (whitespace is allowed just inside the braces):
 *
 *     reference := "{{" root accessor* "}}"
 *     root      := "input." NAME                               the input value NAME
 *                | "steps." ID ".text"                         the step's text content, joined with newlines
 *                | "steps." ID ".isError"                      true when the step did not succeed
 *                | "steps." ID ".structured"                   the step's structuredContent
 *     accessor  := "." NAME | "[" DIGITS "]" | "[" JSON-STRING "]"   (after input.NAME and .structured only)
 *     NAME, ID  := one or more of A-Z a-z 0-9 _ -
 *
 * A string that is exactly one reference is replaced by the referenced value with its JSON type (number, object,
 * array...). References inside a longer string are replaced by text: strings as they are, numbers, booleans and
 * null as JSON, objects and arrays as JSON. `\{{` stands for a literal `{{`. Object keys are never templated.
 *
 * Templates are compiled once, when a pipeline is built, so that a malformed one is an error before anything runs
 * (this file); they are rendered before each step call, where a value that does not exist fails that step
 * (`render-template.ts`).
 */
/** Keys and indexes from a step's params object down to a value: `['filter', 'ids', 0]`. */
export type ValuePath = readonly (string | number)[];

/** What a step offers to references. */
export type StepField = 'text' | 'structured' | 'isError';

/** Where a reference starts. */
export type ReferenceRoot =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'step'; readonly id: string; readonly field: StepField };

/** One `{{...}}`, parsed. */
export interface TemplateReference {
  /** As written, braces included, for error messages. */
  readonly source: string;
  readonly root: ReferenceRoot;
  /** The accessors after the root: keys and indexes. */
  readonly path: ValuePath;
}

/** A params value, compiled. */
export type CompiledValue =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'reference'; readonly reference: TemplateReference }
  | { readonly kind: 'text'; readonly parts: readonly (string | TemplateReference)[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledValue[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledValue])[] };

/** A malformed template, or a value a reference cannot find; `at` says where in the params it is. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly at: ValuePath,
  ) {
    super(message);
  }
}

const STEP_FIELDS: readonly StepField[] = ['text', 'structured', 'isError'];
const NAME = /^[A-Za-z0-9_-]+$/;
const ESCAPE_HINT = 'write \\{{ for a literal "{{"';

/** Compiles a params value (any JSON value) once; throws a {@link TemplateError} for a malformed template. */
export function compileTemplate(value: unknown, at: ValuePath = []): CompiledValue {
  if (typeof value === 'string') return compileString(value, at);
  if (Array.isArray(value)) {
    return {
      kind: 'array',
      items: value.map((item: unknown, index) => compileTemplate(item, [...at, index])),
    };
  }
  if (typeof value === 'object' && value !== null) {
    return {
      kind: 'object',
      entries: Object.entries(value).map(
        ([key, item]) => [key, compileTemplate(item, [...at, key])] as const,
      ),
    };
  }
  return { kind: 'literal', value };
}

/** Every reference in a compiled value, with where it is. */
export function referencesIn(
  compiled: CompiledValue,
  at: ValuePath = [],
): { readonly reference: TemplateReference; readonly at: ValuePath }[] {
  switch (compiled.kind) {
    case 'literal':
      return [];
    case 'reference':
      return [{ reference: compiled.reference, at }];
    case 'text':
      return compiled.parts
        .filter((part): part is TemplateReference => typeof part !== 'string')
        .map((reference) => ({ reference, at }));
    case 'array':
      return compiled.items.flatMap((item, index) => referencesIn(item, [...at, index]));
    case 'object':
      return compiled.entries.flatMap(([key, item]) => referencesIn(item, [...at, key]));
  }
}

/** `params.filter.ids[0]`-style text for a path, starting with `base`. */
export function describePath(base: string, path: ValuePath): string {
  return (
    base +
    path
      .map((segment) =>
        typeof segment === 'number'
          ? `[${segment}]`
          : NAME.test(segment)
            ? `.${segment}`
            : `[${JSON.stringify(segment)}]`,
      )
      .join('')
  );
}

function compileString(text: string, at: ValuePath): CompiledValue {
  const parts: (string | TemplateReference)[] = [];
  let literal = '';
  let position = 0;
  for (;;) {
    const open = text.indexOf('{{', position);
    if (open === -1) {
      literal += text.slice(position);
      break;
    }
    if (text[open - 1] === '\\') {
      literal += `${text.slice(position, open - 1)}{{`;
      position = open + 2;
      continue;
    }
    literal += text.slice(position, open);
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      throw new TemplateError(
        `${JSON.stringify(text)}: the "{{" at position ${open} has no closing "}}" (${ESCAPE_HINT})`,
        at,
      );
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(parseReference(text.slice(open, close + 2), at));
    position = close + 2;
  }
  if (literal !== '') parts.push(literal);
  const [first] = parts;
  if (parts.length === 1 && first !== undefined && typeof first !== 'string') {
    return { kind: 'reference', reference: first };
  }
  if (parts.every((part) => typeof part === 'string')) return { kind: 'literal', value: parts.join('') };
  return { kind: 'text', parts };
}

function parseReference(source: string, at: ValuePath): TemplateReference {
  const body = source.slice(2, -2).trim();
  const fail = (detail: string): never => {
    throw new TemplateError(`${source}: ${detail}`, at);
  };
  if (body === '') return fail(`empty reference (${ESCAPE_HINT})`);
  let root: ReferenceRoot;
  let rest: string;
  const input = /^input\.([A-Za-z0-9_-]+)/.exec(body);
  const step = /^steps\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?/.exec(body);
  if (input?.[1] !== undefined) {
    root = { kind: 'input', name: input[1] };
    rest = body.slice(input[0].length);
  } else if (step?.[1] !== undefined) {
    const [matched, id, field] = step;
    if (field === undefined || !isStepField(field)) {
      return fail(
        `${field === undefined ? 'a step reference names a field' : `steps have no field "${field}"`}: ` +
          `{{steps.${id}.text}}, {{steps.${id}.isError}} or {{steps.${id}.structured}} (followed by a path)`,
      );
    }
    root = { kind: 'step', id, field };
    rest = body.slice(matched.length);
    if (field !== 'structured' && rest !== '') return fail(`.${field} is followed by nothing`);
  } else if (body === 'input' || body === 'steps') {
    return fail(body === 'input' ? 'name the input: {{input.NAME}}' : 'name the step: {{steps.ID.text}}');
  } else {
    return fail(`a reference starts with "input." or "steps." (${ESCAPE_HINT})`);
  }
  const path: (string | number)[] = [];
  while (rest !== '') {
    const key = /^\.([A-Za-z0-9_-]+)/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (key?.[1] !== undefined) {
      path.push(key[1]);
      rest = rest.slice(key[0].length);
    } else if (index?.[1] !== undefined) {
      const value = Number(index[1]);
      if (!Number.isSafeInteger(value)) return fail(`the index ${index[1]} is too large`);
      path.push(value);
      rest = rest.slice(index[0].length);
    } else if (quoted?.[1] !== undefined) {
      path.push(parseQuotedKey(quoted[1], fail));
      rest = rest.slice(quoted[0].length);
    } else {
      return fail(`unexpected ${JSON.stringify(rest)}: a path is made of .key, [index] and ["any key"]`);
    }
  }
  return { source, root, path };
}

function parseQuotedKey(literal: string, fail: (detail: string) => never): string {
  try {
    // A JSON string literal (matched above): parsed as data, never evaluated.
    return JSON.parse(literal) as string;
  } catch {
    return fail(`${literal} is not a valid JSON string`);
  }
}

function isStepField(field: string): field is StepField {
  return (STEP_FIELDS as readonly string[]).includes(field);
}
