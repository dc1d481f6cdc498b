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
 * Templates are compiled once, when a pipeline is built, so that a malformed one is an error before anything runs;
 * they are rendered before each step call, where a value that does not exist fails that step.
 */
import type { StepOutcome } from './pipeline.js';
import { textOf } from './result-text.js';

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

/** What references read when a step's params are rendered. */
export interface TemplateScope {
  /** The input values: what the caller gave, and the defaults of what it did not. */
  readonly input: ReadonlyMap<string, unknown>;
  /**
   * Declared optional inputs without a default that the caller did not give: a whole-value reference to one leaves
   * its value out of the params (so the backend's own default applies).
   */
  readonly omitted: ReadonlySet<string>;
  /** The outcomes of the steps that have finished. */
  readonly steps: ReadonlyMap<string, StepOutcome>;
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

/**
 * Renders a compiled value: a fresh value with every reference replaced. Throws a {@link TemplateError} naming the
 * reference when a value it reads does not exist.
 */
export function renderTemplate(compiled: CompiledValue, scope: TemplateScope): unknown {
  const value = renderValue(compiled, scope, []);
  return value === OMITTED ? undefined : value;
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

/** Marks a value left out: a whole-value reference to an optional input that was not given. */
const OMITTED = Symbol('omitted');

function renderValue(compiled: CompiledValue, scope: TemplateScope, at: ValuePath): unknown {
  switch (compiled.kind) {
    case 'literal':
      return compiled.value;
    case 'reference':
      return resolve(compiled.reference, scope, at, true);
    case 'text':
      return compiled.parts
        .map((part) => (typeof part === 'string' ? part : embed(resolve(part, scope, at, false))))
        .join('');
    case 'array':
      return compiled.items
        .map((item, index) => renderValue(item, scope, [...at, index]))
        .filter((item) => item !== OMITTED);
    case 'object':
      // fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
      return Object.fromEntries(
        compiled.entries
          .map(([key, item]) => [key, renderValue(item, scope, [...at, key])] as const)
          .filter(([, item]) => item !== OMITTED),
      );
  }
}

function resolve(reference: TemplateReference, scope: TemplateScope, at: ValuePath, whole: boolean): unknown {
  const fail = (detail: string): never => {
    throw new TemplateError(`${reference.source}: ${detail}`, at);
  };
  const { root } = reference;
  let value: unknown;
  let base: string;
  if (root.kind === 'input') {
    base = `input.${root.name}`;
    if (!scope.input.has(root.name)) {
      if (scope.omitted.has(root.name)) {
        if (whole) return OMITTED;
        return fail(
          `input "${root.name}" was not given; an optional input without a default can only be a whole value ` +
            '(which is then left out)',
        );
      }
      return fail(`input "${root.name}" was not given`);
    }
    value = scope.input.get(root.name);
  } else {
    base = `steps.${root.id}.${root.field}`;
    const outcome = scope.steps.get(root.id);
    if (!outcome) return fail(`step "${root.id}" has not run`);
    if (root.field === 'isError') return outcome.status !== 'ok';
    if (!outcome.result) {
      return fail(
        `step "${root.id}" has no result (${outcome.status === 'skipped' ? 'it was skipped' : `it failed: ${outcome.error}`})`,
      );
    }
    if (root.field === 'text') return textOf(outcome.result);
    if (outcome.result.structuredContent === undefined) {
      return fail(`step "${root.id}" returned no structuredContent`);
    }
    value = outcome.result.structuredContent;
  }
  for (const [depth, segment] of reference.path.entries()) {
    const where = describePath(base, reference.path.slice(0, depth));
    if (typeof segment === 'number') {
      if (!Array.isArray(value)) return fail(`${where} is ${kindOf(value)}, not an array`);
      if (segment >= value.length) return fail(`${where} has no item ${segment} (it has ${value.length})`);
      value = value[segment] as unknown;
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return fail(`${where} is ${kindOf(value)}, not an object`);
      }
      // Own properties only: a path never reaches a prototype ("constructor", "__proto__"...).
      const property = Object.getOwnPropertyDescriptor(value, segment);
      if (!property) return fail(`${where} has no key ${JSON.stringify(segment)}`);
      value = property.value as unknown;
    }
  }
  if (value === undefined) return fail(`${describePath(base, reference.path)} has no value`);
  return value;
}

function embed(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
