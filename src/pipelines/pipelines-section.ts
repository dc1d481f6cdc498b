/**
 * The config file's `pipelines` section. Each pipeline is built once while the config is read, so that a cycle, an
 * `after` naming no step or a malformed template is a config error naming the pipeline and the step.
 */
import { z } from 'zod';

import { checkPipelineConfig } from './build-pipeline.js';
import { PIPELINE_NAME_PATTERN, PIPELINE_NAME_RULE, PipelineConfigSchema } from './pipeline-schema.js';

/** `{ "<name>": { description?, input?, steps } }`, every pipeline checked by building it. */
export const PipelinesSchema = z
  .record(
    z.string().regex(PIPELINE_NAME_PATTERN, `a pipeline name ${PIPELINE_NAME_RULE}`),
    PipelineConfigSchema,
  )
  .superRefine((pipelines, context) => {
    for (const [name, pipeline] of Object.entries(pipelines)) {
      const problem = checkPipelineConfig(name, pipeline);
      if (!problem) continue;
      context.addIssue({ code: 'custom', path: [name, ...problem.path], message: problem.message });
    }
  });
