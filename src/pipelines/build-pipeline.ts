/**
 * Turns pipelines as written (config file, `custom` steps) into runnable ones, checking everything that
 * can be checked before a run.
 */
import type { PipelineConfig } from './pipeline-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import { CUSTOM_SCENARIO, type Pipeline, type PipelineInput, type PipelineStep } from './pipeline.js';
import { findCycle, transitiveDependencies } from './step-graph.js';
import {
  compileTemplate,
  describePath,
  referencesIn,
  TemplateError,
  type CompiledValue,
  type ValuePath,
} from './templates.js';

/** Where in a pipeline as written a problem is: `['steps', 2, 'params', 'query']`. */
export type DefinitionPath = readonly (string | number)[];

/** A pipeline that cannot be built; the message names the pipeline and the step, `path` where it is. */
export class PipelineDefinitionError extends GatewayError {
  constructor(
    message: string,
    readonly path: DefinitionPath,
  ) {
    super('invalid_input', message);
  }
}

/** How to build a pipeline. */
export interface BuildPipelineOptions {
  /**
   * Leave the inputs undeclared: templates may read any `{{input.NAME}}`, and a run gets whatever the caller gives
   * (the `custom` scenario). Otherwise a pipeline reads only the inputs its `input` section declares.
   */
  readonly undeclaredInput?: boolean;
}

/**
 * Builds a runnable pipeline. Steps without an `id` get `step1`, `step2`... by position. Checked here, each a
 * {@link PipelineDefinitionError} naming the pipeline and the step: duplicate ids, `after` naming no step, cycles,
 * malformed templates, references to a step the step does not wait for (directly or not), references to inputs
 * that are not declared, and input declarations that contradict themselves. Servers are not checked: a step may
 * name a server that is registered later, and finds out when it runs.
 */
export function buildPipeline(
  name: string,
  config: PipelineConfig,
  options: BuildPipelineOptions = {},
): Pipeline {
  const inputs = options.undeclaredInput ? undefined : buildInputs(name, config.input ?? {});
  const ids = assignIds(name, config);
  const nodes = config.steps.map((step, index) => ({ id: ids[index] ?? '', after: step.after ?? [] }));
  for (const [index, node] of nodes.entries()) {
    for (const [position, dependency] of node.after.entries()) {
      if (!ids.includes(dependency)) {
        throw new PipelineDefinitionError(
          `pipeline "${name}", step "${node.id}": "after" names "${dependency}", which is not a step of this ` +
            `pipeline (its steps: ${ids.join(', ')})`,
          ['steps', index, 'after', position],
        );
      }
    }
  }
  const cycle = findCycle(nodes);
  if (cycle?.[0] !== undefined) {
    throw new PipelineDefinitionError(
      `pipeline "${name}", step "${cycle[0]}": "after" makes a cycle: ${cycle.join(' -> ')}`,
      ['steps', ids.indexOf(cycle[0]), 'after'],
    );
  }
  const waitsFor = transitiveDependencies(nodes);

  const steps = config.steps.map((step, index): PipelineStep => {
    const id = ids[index] ?? '';
    const params = step.params ?? {};
    const template = compileParams(params, {
      readable: (stepId) => waitsFor.get(id)?.has(stepId) === true,
      steps: ids,
      id,
      inputs: inputs?.map((input) => input.name),
      fail: (message, at) => {
        throw new PipelineDefinitionError(
          `pipeline "${name}", step "${id}": ${describePath('params', at)}: ${message}`,
          ['steps', index, 'params', ...at],
        );
      },
    });
    return {
      id,
      server: step.server,
      tool: step.tool,
      params,
      template,
      after: step.after ?? [],
      timeoutMs: step.timeoutMs,
      optional: step.optional ?? false,
    };
  });
  return { name, description: config.description ?? '', inputs, steps };
}

/** What the templates of one step may read. */
interface ParamsContext {
  /** The step's id. */
  readonly id: string;
  /** Every step id of the pipeline. */
  readonly steps: readonly string[];
  /** Whether the step waits, directly or not, for the step `id`. */
  readonly readable: (id: string) => boolean;
  /** The declared inputs; `undefined` when inputs are undeclared. */
  readonly inputs: readonly string[] | undefined;
  readonly fail: (message: string, at: ValuePath) => never;
}

/** Compiles a step's params and checks that each reference can find a value when the step runs. */
function compileParams(params: Readonly<Record<string, unknown>>, context: ParamsContext): CompiledValue {
  let template: CompiledValue;
  try {
    template = compileTemplate(params);
  } catch (error) {
    if (error instanceof TemplateError) return context.fail(error.message, error.at);
    throw error;
  }
  for (const { reference, at } of referencesIn(template)) {
    const { root, source } = reference;
    if (root.kind === 'input') {
      if (context.inputs && !context.inputs.includes(root.name)) {
        const declared = context.inputs.join(', ');
        context.fail(
          `${source} reads input "${root.name}", which the pipeline does not declare ` +
            `(${declared ? `its inputs: ${declared}` : 'it declares no "input"'})`,
          at,
        );
      }
    } else if (!context.steps.includes(root.id)) {
      context.fail(`${source} reads step "${root.id}", which is not a step of this pipeline`, at);
    } else if (root.id === context.id) {
      context.fail(`${source} reads the step's own result, which does not exist before it runs`, at);
    } else if (!context.readable(root.id)) {
      context.fail(
        `${source} reads step "${root.id}", which this step does not wait for: add "${root.id}" to its "after" ` +
          '(directly or through another step)',
        at,
      );
    }
  }
  return template;
}

/** Why the pipeline written in the config as `name` cannot be used, or `undefined` when it can. */
export function checkPipelineConfig(
  name: string,
  config: PipelineConfig,
): { readonly message: string; readonly path: DefinitionPath } | undefined {
  if (name === CUSTOM_SCENARIO) {
    return { message: `pipeline "${name}": the name is reserved for caller-composed steps`, path: [] };
  }
  try {
    buildPipeline(name, config);
    return undefined;
  } catch (error) {
    if (error instanceof PipelineDefinitionError) return { message: error.message, path: error.path };
    throw error;
  }
}

function assignIds(name: string, config: PipelineConfig): string[] {
  const ids: string[] = [];
  for (const [index, step] of config.steps.entries()) {
    const id = step.id ?? `step${index + 1}`;
    if (ids.includes(id)) {
      const detail =
        step.id === undefined
          ? `step ${index + 1} has no id and its default id "${id}" is taken by an earlier step: give it an id`
          : 'the id is used by an earlier step';
      throw new PipelineDefinitionError(`pipeline "${name}", step "${id}": ${detail}`, [
        'steps',
        index,
        'id',
      ]);
    }
    ids.push(id);
  }
  return ids;
}

function buildInputs(name: string, declared: NonNullable<PipelineConfig['input']>): PipelineInput[] {
  return Object.entries(declared).map(([inputName, declaration]) => {
    if (declaration.required === true && declaration.default !== undefined) {
      throw new PipelineDefinitionError(
        `pipeline "${name}", input "${inputName}": an input with a default is never missing; drop "required" ` +
          'or "default"',
        ['input', inputName],
      );
    }
    return {
      name: inputName,
      description: declaration.description ?? '',
      default: declaration.default,
      required: declaration.default === undefined && declaration.required !== false,
    };
  });
}
