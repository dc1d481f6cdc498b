/**
 * Keys the gateway does not know, found by walking a parsed config alongside its zod schema: the known keys of
 * every object are read from the schema itself, so the warnings cannot drift from what the loader accepts. The
 * schema stays lenient (an unknown key is ignored, not refused); this is how the user still hears about it.
 */
import { z } from 'zod';

import { formatJsonPath, isJsonObject, type ConfigProblem } from './config-problem.js';
import { suggestKey } from './suggest-key.js';

/** Any zod schema: what object shapes, records, arrays and unions hold. */
type Schema = z.core.$ZodType;

/** A warning for every key of `value` that `schema` does not describe, with a "did you mean" when one is close. */
export function findUnknownKeys(schema: Schema, value: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk(schema, value, [], problems);
  return problems;
}

function walk(schema: Schema, value: unknown, path: readonly string[], problems: ConfigProblem[]): void {
  const type = unwrap(schema);
  if (type instanceof z.ZodObject) {
    if (!isJsonObject(value)) return;
    const shape: Readonly<Record<string, Schema>> = type.shape;
    const known = Object.keys(shape);
    // A strict object (`tools`) refuses unknown keys itself, a loose one takes any: neither needs a warning.
    const warn = type._zod.def.catchall === undefined;
    for (const [key, item] of Object.entries(value)) {
      const field = shape[key];
      if (field !== undefined) walk(field, item, [...path, key], problems);
      else if (warn) problems.push(unknownKey([...path, key], known));
    }
  } else if (type instanceof z.ZodRecord) {
    if (!isJsonObject(value)) return;
    for (const [key, item] of Object.entries(value)) walk(type.valueType, item, [...path, key], problems);
  } else if (type instanceof z.ZodArray) {
    if (!Array.isArray(value)) return;
    value.forEach((item: unknown, index) => walk(type.element, item, [...path, String(index)], problems));
  } else if (type instanceof z.ZodUnion) {
    const branch = branchFor(type.options, value);
    if (branch !== undefined) walk(branch, value, path, problems);
  }
}

/** The schema under `optional()`, `nullable()`, `default()` and the input side of a `transform()`. */
function unwrap(schema: Schema): Schema {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return unwrap(schema.unwrap());
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in);
  return schema;
}

/**
 * The branch of a union that describes a container like `value` (`restart` is `false` or an object): the only
 * object-like branch for an object, the only array branch for an array. Ambiguous or scalar: none.
 */
function branchFor(options: readonly Schema[], value: unknown): Schema | undefined {
  const matching = options.filter((option) => {
    const type = unwrap(option);
    if (Array.isArray(value)) return type instanceof z.ZodArray;
    if (isJsonObject(value)) return type instanceof z.ZodObject || type instanceof z.ZodRecord;
    return false;
  });
  return matching.length === 1 ? matching[0] : undefined;
}

function unknownKey(path: readonly string[], known: readonly string[]): ConfigProblem {
  const key = path.at(-1) ?? '';
  const suggestion = suggestKey(key, known);
  let advice: string;
  if (suggestion === undefined) advice = `known keys here: ${known.join(', ')}`;
  else if (suggestion.note === undefined) advice = `did you mean "${suggestion.key}"?`;
  else advice = `did you mean "${suggestion.key}"? (${suggestion.note})`;
  return { severity: 'warning', path: formatJsonPath(path), message: `unknown key, ignored; ${advice}` };
}
