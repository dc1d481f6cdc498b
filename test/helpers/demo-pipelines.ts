/**
 * The demo pipelines of `gateway-config.json` (weather-analysis, database-report), read from the file itself so
 * that the tests hold the shipped demo to what they check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { PipelineConfig } from '../../src/pipelines/pipeline-schema.js';

const CONFIG = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'gateway-config.json');

/** The `pipelines` section of gateway-config.json. */
export const DEMO_PIPELINES: Readonly<Record<string, PipelineConfig>> = (
  JSON.parse(readFileSync(CONFIG, 'utf8')) as { pipelines: Record<string, PipelineConfig> }
).pipelines;

/** One demo pipeline by name; throws when the file has no such pipeline. */
export function demoPipeline(name: string): PipelineConfig {
  const pipeline = DEMO_PIPELINES[name];
  if (!pipeline) throw new Error(`gateway-config.json has no pipeline "${name}"`);
  return pipeline;
}
