/**
 * The named pipelines a gateway offers, as `route_pipeline` lists and runs them.
 */
import { EventEmitter } from 'node:events';

import { GatewayError } from '../errors/gateway-error.js';
import { buildPipeline, PipelineDefinitionError } from './build-pipeline.js';
import { CUSTOM_SCENARIO, type Pipeline } from './pipeline.js';
import type { PipelineConfig } from './pipeline-schema.js';

/** What a {@link PipelineCatalog} tells its listeners. */
interface CatalogEvents {
  /** The pipelines were replaced by different ones. */
  changed: [];
}

/**
 * The named pipelines a gateway offers: those of its config file. A reload replaces them; a change emits `changed`,
 * on which every connected client is told that the tool list changed (the description of `route_pipeline` lists
 * the pipelines).
 */
export class PipelineCatalog extends EventEmitter<CatalogEvents> {
  private pipelines = new Map<string, Pipeline>();
  private written = '{}';

  /** Builds every pipeline; throws a `GatewayError` naming the first that cannot be built. */
  constructor(configured: Readonly<Record<string, PipelineConfig>> = {}) {
    super();
    // One listener per connected session: many sessions are normal, not a leak.
    this.setMaxListeners(0);
    this.replace(configured);
  }

  /** The pipeline named `name`, if any. */
  get(name: string): Pipeline | undefined {
    return this.pipelines.get(name);
  }

  /** Every named pipeline, in the config's order. */
  list(): Pipeline[] {
    return [...this.pipelines.values()];
  }

  /** Every scenario `route_pipeline` accepts, `custom` last. */
  scenarioNames(): string[] {
    return [...this.pipelines.keys(), CUSTOM_SCENARIO];
  }

  /**
   * Replaces every pipeline with those given (a reload of the config) and emits `changed` when any differs.
   * Throws, changing nothing, when one cannot be built.
   */
  replace(configured: Readonly<Record<string, PipelineConfig>>): void {
    const written = JSON.stringify(configured);
    if (written === this.written) return;
    const pipelines = new Map(
      Object.entries(configured).map(([name, config]) => [name, build(name, config)]),
    );
    this.pipelines = pipelines;
    this.written = written;
    this.emit('changed');
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
