/**
 * How a pipeline is written (in the config file's `pipelines` section, or as the `steps` of the `custom` scenario):
 * the structural zod schemas. What can only be checked by building the pipeline (cycles, templates, `after`) is
 * checked in `pipelines-section.ts` for the config, and by `buildPipeline` for `custom` steps.
 */
import { z } from 'zod';

/** Pipeline names, step ids and input names: what templates such as `{{steps.ID.text}}` can name. */
export const PIPELINE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** What {@link PIPELINE_NAME_PATTERN} asks for, for error messages: "a step id " + this. */
export const PIPELINE_NAME_RULE = 'is 1 to 64 letters, digits, "_" or "-"';

/**
 * One step of a pipeline: a backend tool call. Strings in `params` may hold templates (`{{input.state}}`,
 * `{{steps.ID.text}}`; see src/pipelines/templates.ts).
 */
export const PipelineStepSchema = z.object({
  id: z.string().regex(PIPELINE_NAME_PATTERN, `a step id ${PIPELINE_NAME_RULE}`).optional(),
  server: z.string().min(1),
  tool: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Ids of the steps this one waits for, in any order of the list of steps. */
  after: z.array(z.string().min(1)).optional(),
  /** This step's call timeout, in place of the backend's. */
  timeoutMs: z.number().int().positive().optional(),
  /** When true, this step failing does not skip the steps that depend on it. */
  optional: z.boolean().optional(),
});

/** One input a pipeline declares, read by `{{input.NAME}}`. Required unless it has a default or says otherwise. */
export const PipelineInputSchema = z.object({
  description: z.string().optional(),
  /** Any JSON value, used when the caller does not give the input. */
  default: z.unknown().optional(),
  required: z.boolean().optional(),
});

/** A named pipeline declared in the config file. */
export const PipelineConfigSchema = z.object({
  description: z.string().optional(),
  input: z
    .record(
      z.string().regex(PIPELINE_NAME_PATTERN, `an input name ${PIPELINE_NAME_RULE}`),
      PipelineInputSchema,
    )
    .optional(),
  steps: z.array(PipelineStepSchema).min(1, 'a pipeline needs at least one step'),
});

/** A pipeline step as written. */
export type PipelineStepConfig = z.infer<typeof PipelineStepSchema>;
/** A pipeline as written. */
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
/** A pipeline input declaration as written. */
export type PipelineInputConfig = z.infer<typeof PipelineInputSchema>;
