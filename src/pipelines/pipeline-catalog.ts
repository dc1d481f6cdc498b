/**
 * The named pipelines a gateway offers, as `route_pipeline` lists and runs them.
 */
import { EventEmitter } from 'node:events';

import { GatewayError } from '../errors/gateway-error.js';
import { buildPipeline, PipelineDefinitionError } from './build-pipeline.js';
import { BUILTIN_PIPELINES, CUSTOM_SCENARIO } from './builtin-pipelines.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineConfig } from './pipeline-schema.js';

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
