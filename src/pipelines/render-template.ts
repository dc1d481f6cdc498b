/**
 * Rendering compiled step params before a step call (the grammar is in `templates.ts`): every reference replaced by
 * the value it reads, or a {@link TemplateError} naming the reference when that value does not exist.
 */
import type { StepOutcome } from './pipeline.js';
import { textOf } from './result-text.js';
import {
  describePath,
  TemplateError,
  type CompiledValue,
  type TemplateReference,
  type ValuePath,
} from './templates.js';

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

/**
 * Renders a compiled value: a fresh value with every reference replaced. Throws a {@link TemplateError} naming the
 * reference when a value it reads does not exist.
 */
export function renderTemplate(compiled: CompiledValue, scope: TemplateScope): unknown {
  const value = renderValue(compiled, scope, []);
  return value === OMITTED ? undefined : value;
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
