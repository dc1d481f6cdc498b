import type { PipelineConfig, PipelineStepConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import { BUILTIN_PIPELINES, CUSTOM_SCENARIO } from './builtin-pipelines.js';
import type { Pipeline, PipelineStep } from './pipeline.js';

/**
 * Turns written steps into a runnable pipeline: steps without an `id` get `step1`, `step2`...; ids must be unique
 * and `after` may only name earlier steps (which also rules out cycles). Errors name the pipeline and the step.
 */
export function buildPipeline(
  name: string,
  description: string,
  steps: readonly PipelineStepConfig[],
): Pipeline {
  const seen = new Set<string>();
  const built: PipelineStep[] = steps.map((step, index) => {
    const id = step.id ?? `step${index + 1}`;
    const where = `pipeline "${name}", step "${id}"`;
    if (seen.has(id)) {
      const detail =
        step.id === undefined
          ? `step ${index + 1} has no id and its default id "${id}" is taken by an earlier step: give it an id`
          : 'the id is used by an earlier step';
      throw new GatewayError('invalid_input', `${where}: ${detail}`);
    }
    for (const dependency of step.after ?? []) {
      if (!seen.has(dependency)) {
        throw new GatewayError(
          'invalid_input',
          `${where}: "after" names "${dependency}", which is not an earlier step of this pipeline`,
        );
      }
    }
    seen.add(id);
    return { id, server: step.server, tool: step.tool, params: step.params ?? {}, after: step.after ?? [] };
  });
  return { name, description, steps: built };
}

/** The named pipelines a gateway offers: the built-ins plus those of the config file. */
export class PipelineCatalog {
  private readonly pipelines = new Map<string, Pipeline>();

  constructor(configured: Readonly<Record<string, PipelineConfig>> = {}) {
    for (const pipeline of BUILTIN_PIPELINES) this.pipelines.set(pipeline.name, pipeline);
    for (const [name, config] of Object.entries(configured)) {
      if (name === CUSTOM_SCENARIO) {
        throw new GatewayError(
          'invalid_config',
          `pipeline "${name}": the name is reserved for caller-composed steps`,
        );
      }
      this.pipelines.set(name, buildPipeline(name, config.description ?? '', config.steps));
    }
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
}
