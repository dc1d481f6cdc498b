/**
 * Turns pipelines as written (config file, built-ins, `custom` steps) into runnable ones, checking everything that
 * can be checked before a run; and the catalog of named pipelines a gateway offers.
 */
import { EventEmitter } from 'node:events';

import type { PipelineConfig } from './pipeline-schema.js';
import { GatewayError } from '../errors.js';
import { BUILTIN_PIPELINES, CUSTOM_SCENARIO } from './builtin-pipelines.js';
import type { Pipeline, PipelineInput, PipelineStep } from './pipeline.js';
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

/** What a {@link PipelineCatalog} tells its listeners. */
interface CatalogEvents {
  /** A pipeline was added, replaced or removed. */
  changed: [];
}

/**
 * The named pipelines a gateway offers: the built-ins, then those of the config file (which may replace a
 * built-in of the same name). Pipelines can be added, replaced and removed while the gateway runs; each change
 * emits `changed`, on which every connected client is told that the tool list changed (the description of
 * `route_pipeline` lists the pipelines).
 */
export class PipelineCatalog extends EventEmitter<CatalogEvents> {
  private readonly pipelines = new Map<string, Pipeline>();

  constructor(configured: Readonly<Record<string, PipelineConfig>> = {}) {
    super();
    // One listener per connected session: many sessions are normal, not a leak.
    this.setMaxListeners(0);
    for (const [name, config] of Object.entries(BUILTIN_PIPELINES)) {
      this.pipelines.set(name, buildPipeline(name, config));
    }
    for (const [name, config] of Object.entries(configured)) this.pipelines.set(name, build(name, config));
  }

  /** The pipeline named `name`, if any. */
  get(name: string): Pipeline | undefined {
    return this.pipelines.get(name);
  }

  /** Every named pipeline, built-ins first. */
  list(): Pipeline[] {
    return [...this.pipelines.values()];
  }

  /** Every scenario `route_pipeline` accepts, `custom` last. */
  scenarioNames(): string[] {
    return [...this.pipelines.keys(), CUSTOM_SCENARIO];
  }

  /**
   * Adds the pipeline `name`, or replaces the one of that name, and emits `changed`. Throws (and changes nothing)
   * when it cannot be built, or for the reserved name `custom`.
   */
  set(name: string, config: PipelineConfig): Pipeline {
    const pipeline = build(name, config);
    this.pipelines.set(name, pipeline);
    this.emit('changed');
    return pipeline;
  }

  /** Removes the pipeline `name` and emits `changed`; false (and no event) when there is none. */
  remove(name: string): boolean {
    const removed = this.pipelines.delete(name);
    if (removed) this.emit('changed');
    return removed;
  }
}

function build(name: string, config: PipelineConfig): Pipeline {
  // The config schema checks the names it reads; pipelines added from code are checked here.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new GatewayError(
      'invalid_config',
      `pipeline ${JSON.stringify(name)}: a pipeline name is 1 to 64 letters, digits, "_" or "-"`,
    );
  }
  if (name === CUSTOM_SCENARIO) {
    throw new GatewayError(
      'invalid_config',
      `pipeline "${name}": the name is reserved for caller-composed steps`,
    );
  }
  try {
    return buildPipeline(name, config);
  } catch (error) {
    if (error instanceof PipelineDefinitionError) {
      throw new GatewayError('invalid_config', error.message, { cause: error });
    }
    throw error;
  }
}
