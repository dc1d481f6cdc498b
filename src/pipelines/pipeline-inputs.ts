/**
 * The inputs a pipeline declares, and the values a run gets: the caller's, checked against the declarations, with
 * the defaults of what it left out.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { Pipeline, PipelineInput } from './pipeline.js';
import type { TemplateScope } from './render-template.js';

/** The input values of one run, as templates read them. */
export type ResolvedInput = Pick<TemplateScope, 'input' | 'omitted'>;

/**
 * The values a run of `pipeline` uses. A pipeline that declares its inputs gets exactly those: an input it does
 * not declare, or a required one missing, is an error before any step starts. A pipeline that declares none
 * (`custom`) gets what the caller gave.
 */
export function resolveInput(
  pipeline: Pick<Pipeline, 'name' | 'inputs'>,
  given: Readonly<Record<string, unknown>> = {},
): ResolvedInput {
  const givenNames = Object.keys(given);
  if (!pipeline.inputs) {
    return { input: new Map(givenNames.map((name) => [name, given[name]])), omitted: new Set() };
  }
  const declared = new Map(pipeline.inputs.map((input) => [input.name, input]));
  const unknown = givenNames.filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    const takes =
      declared.size === 0 ? 'it takes no input' : `its inputs: ${[...declared.keys()].join(', ')}`;
    throw new GatewayError(
      'invalid_input',
      `pipeline "${pipeline.name}" has no input ${unknown.map((name) => `"${name}"`).join(', ')}; ${takes}`,
    );
  }
  const missing = pipeline.inputs.filter((input) => input.required && !Object.hasOwn(given, input.name));
  if (missing.length > 0) {
    throw new GatewayError(
      'invalid_input',
      `pipeline "${pipeline.name}" needs the input ${missing.map(describeMissing).join(', ')}`,
    );
  }
  const input = new Map<string, unknown>();
  const omitted = new Set<string>();
  for (const declaration of pipeline.inputs) {
    if (Object.hasOwn(given, declaration.name)) input.set(declaration.name, given[declaration.name]);
    else if (declaration.default !== undefined) input.set(declaration.name, declaration.default);
    else omitted.add(declaration.name);
  }
  return { input, omitted };
}

/** One line per input, for the description of `route_pipeline`: `state (default "CA"): two-letter code`. */
export function describeInputs(inputs: readonly PipelineInput[]): string[] {
  return inputs.map((input) => {
    const how = input.required
      ? 'required'
      : input.default === undefined
        ? 'optional'
        : `default ${JSON.stringify(input.default)}`;
    return `${input.name} (${how})${input.description ? `: ${input.description}` : ''}`;
  });
}

function describeMissing(input: PipelineInput): string {
  return `"${input.name}"${input.description ? ` (${input.description})` : ''}`;
}
